using Checkpointable.Options;

namespace Checkpointable.Cli;

/// <summary>
/// Separates criu's dump options (read by <see cref="CriuOptionParser"/>, exactly as criu reads them) from
/// ours (read by System.CommandLine): -t/--tree, a PID, --json, --help, --version, subcommands and their options.
/// </summary>
public static class ArgumentSplitter
{
    private static readonly HashSet<string> s_ours = ["-t", "--tree", "-h", "--help", "-V", "--version", "--json", "-?",
        "--container", "--listen", "--min-age", "--max-scans", "--process-metrics", "--interval"];

    /// <summary>Options of one subcommand whose names criu also has (--daemon, --timeout): ours only on that command's line.</summary>
    private static readonly Dictionary<string, string[]> s_commandOnly = new()
    {
        ["mount"] = ["--allow-other", "--daemon"],
        ["wait"] = ["--timeout"],
    };

    /// <summary>An option System.CommandLine reads on some command line: also -t123, --tree=123 and --name=value forms.</summary>
    public static bool IsOurs(string a) =>
        IsOurs(a, s_ours) || s_commandOnly.Values.Any(names => IsOurs(a, names))
        || (a.StartsWith("-t", StringComparison.Ordinal) && a.Length > 2 && char.IsDigit(a[2]));

    public static (List<string> Ours, List<string> Criu) Split(IReadOnlyList<string> args)
    {
        // The command is the first word that is not an option (a PID is a word too: then there is no subcommand).
        string? command = args.FirstOrDefault(a => !a.StartsWith('-'));
        string[] commandOnly = command is not null && s_commandOnly.TryGetValue(command, out var names) ? names : [];
        bool ours(string a) => IsOurs(a, s_ours) || IsOurs(a, commandOnly)
            || (a.StartsWith("-t", StringComparison.Ordinal) && a.Length > 2 && char.IsDigit(a[2]));

        var ourTokens = new List<string>();
        var criu = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!ours(a) && a.StartsWith('-') && a.Length > 1 && CriuOptionParser.IsCriuOption(a, out bool takesValue))
            {
                criu.Add(a);
                if (takesValue && i + 1 < args.Count)
                {
                    criu.Add(args[++i]);
                }
            }
            else
            {
                ourTokens.Add(a);
            }
        }

        return (ourTokens, criu);
    }

    private static bool IsOurs(string a, IEnumerable<string> names) =>
        names.Any(n => a == n || (n.StartsWith("--", StringComparison.Ordinal) && a.StartsWith(n + "=", StringComparison.Ordinal)));
}
