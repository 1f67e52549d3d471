using Checkpointable.Options;

namespace Checkpointable.Cli;

/// <summary>
/// Separates criu's dump options (read by <see cref="CriuOptionParser"/>, exactly as criu reads them) from
/// ours (read by System.CommandLine): -t/--tree, a PID, --json, --help, --version, --criu-caps, subcommands and their options.
/// </summary>
public static class ArgumentSplitter
{
    private static readonly HashSet<string> s_ours = ["-t", "--tree", "-h", "--help", "-V", "--version", "--json", "-?",
        "--container", "--listen", "--min-age", "--max-scans", "--process-metrics", "--interval", CriuCaps.OptionName];

    /// <summary>Options of one subcommand whose names criu also has (--daemon, --timeout): ours only on that command's line.</summary>
    private static readonly Dictionary<string, string[]> s_commandOnly = new()
    {
        ["mount"] = ["--allow-other", "--daemon"],
        ["wait"] = ["--timeout"],
    };

    /// <summary>
    /// The first option of ours that is neither ours on this command line nor criu's (e.g. `--daemon` without
    /// `mount` is criu's, `--allow-other` without `mount` is nobody's), or null.
    /// </summary>
    public static string? Unknown(IReadOnlyList<string> ours)
    {
        var isOurs = OursOn(ours);
        return ours.FirstOrDefault(a => a.Length > 1 && a[0] == '-' && !char.IsDigit(a[1]) && !isOurs(a));
    }

    public static (List<string> Ours, List<string> Criu) Split(IReadOnlyList<string> args)
    {
        var ours = OursOn(args);
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

    /// <summary>Which options are ours on this command line: the command is its first word that is not an option.</summary>
    private static Func<string, bool> OursOn(IReadOnlyList<string> args)
    {
        string? command = args.FirstOrDefault(a => !a.StartsWith('-'));
        string[] commandOnly = command is not null && s_commandOnly.TryGetValue(command, out var names) ? names : [];
        return a => IsOurs(a, s_ours) || IsOurs(a, commandOnly)
            || a.StartsWith("--tree=", StringComparison.Ordinal)
            || (a.StartsWith("-t", StringComparison.Ordinal) && a.Length > 2 && char.IsDigit(a[2]));
    }

    private static bool IsOurs(string a, IEnumerable<string> names) =>
        names.Any(n => a == n || (n.StartsWith("--", StringComparison.Ordinal) && a.StartsWith(n + "=", StringComparison.Ordinal)));
}
