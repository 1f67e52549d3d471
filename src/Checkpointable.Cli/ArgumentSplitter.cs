using Checkpointable.Options;

namespace Checkpointable.Cli;

/// <summary>
/// Separates criu's dump options (read by <see cref="CriuOptionParser"/>, exactly as criu reads them) from
/// ours (read by System.CommandLine): -t/--tree, a PID, --json, --help, --version and subcommands.
/// </summary>
public static class ArgumentSplitter
{
    private static readonly HashSet<string> s_ours = ["-t", "--tree", "-h", "--help", "-V", "--version", "--json", "-?",
        "--container", "--listen", "--min-age", "--max-scans", "--process-metrics"];

    // `mount`'s own options. criu also has --daemon, so these are ours only on a mount command line.
    private static readonly HashSet<string> s_mountOnly = ["--allow-other", "--daemon"];

    /// <summary>An option System.CommandLine reads: -t/--tree (also -t123, --tree=123), --json, help, version, mount's own.</summary>
    public static bool IsOurs(string a) =>
        s_ours.Contains(a) || s_mountOnly.Contains(a) || a.StartsWith("--tree=", StringComparison.Ordinal) || (a.StartsWith("-t", StringComparison.Ordinal) && a.Length > 2 && char.IsDigit(a[2]));

    public static (List<string> Ours, List<string> Criu) Split(IReadOnlyList<string> args)
    {
        var ours = new List<string>();
        var criu = new List<string>();
        bool mount = args.Count > 0 && args[0] == "mount";
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if ((!IsOurs(a) || (!mount && s_mountOnly.Contains(a))) && a.StartsWith('-') && a.Length > 1 && CriuOptionParser.IsCriuOption(a, out bool takesValue))
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
