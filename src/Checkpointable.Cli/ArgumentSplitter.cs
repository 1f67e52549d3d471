using Checkpointable.Options;

namespace Checkpointable.Cli;

/// <summary>
/// Separates criu's dump options (read by <see cref="CriuOptionParser"/>, exactly as criu reads them) from
/// ours (read by System.CommandLine): -t/--tree, a PID, --json, --help, --version and subcommands.
/// </summary>
public static class ArgumentSplitter
{
    private static readonly HashSet<string> s_ours = ["-t", "--tree", "-h", "--help", "-V", "--version", "--json", "-?"];

    /// <summary>watch and wait: --interval; --timeout is ours only after `wait` (criu has its own --timeout).</summary>
    private static readonly string[] s_watch = ["--interval", "--timeout"];

    /// <summary>An option System.CommandLine reads: -t/--tree (also -t123, --tree=123), --json, help, version.</summary>
    public static bool IsOurs(string a) =>
        s_ours.Contains(a) || a.StartsWith("--tree=", StringComparison.Ordinal) || (a.StartsWith("-t", StringComparison.Ordinal) && a.Length > 2 && char.IsDigit(a[2]))
        || s_watch.Any(w => a == w || a.StartsWith(w + "=", StringComparison.Ordinal));

    /// <summary>criu's --timeout, unless the command is `wait` (the first word that is not an option).</summary>
    private static bool IsCriuTimeout(string a, IReadOnlyList<string> args) =>
        (a == "--timeout" || a.StartsWith("--timeout=", StringComparison.Ordinal)) && args.FirstOrDefault(x => !x.StartsWith('-')) != "wait";

    public static (List<string> Ours, List<string> Criu) Split(IReadOnlyList<string> args)
    {
        var ours = new List<string>();
        var criu = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if ((!IsOurs(a) || IsCriuTimeout(a, args)) && a.StartsWith('-') && a.Length > 1 && CriuOptionParser.IsCriuOption(a, out bool takesValue))
            {
                criu.Add(a);
                if (takesValue && i + 1 < args.Count)
                {
                    criu.Add(args[++i]);
                }
            }
            else
            {
                ours.Add(a);
            }
        }

        return (ours, criu);
    }
}
