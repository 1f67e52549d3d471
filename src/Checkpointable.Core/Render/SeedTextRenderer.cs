using System.Text;
using Checkpointable.Rules;

namespace Checkpointable.Render;

/// <summary>
/// The 2009 seed's format (shared/seed/): per process one "SUBSYSTEM: 1|0" line per subsystem, then
/// one "RESOURCE: checkpointable: 0 (reason)" line per finding, then the verdict and the criu command.
/// </summary>
public static class SeedTextRenderer
{
    public static string Render(Judgement j, IReadOnlyList<string> userTokens)
    {
        var b = new StringBuilder();
        foreach (int pid in j.Tree.Members)
        {
            var p = j.Snapshot.Processes[pid];
            if (p.Gone)
            {
                b.Append(pid).Append(" (exited while being read)\n\n");
                continue;
            }

            b.Append(pid).Append(" (").Append(Text.Sanitize(p.Comm)).Append(")\n");
            b.Append(ProcessFile(j, pid));
            foreach (var f in j.For(pid).OrderBy(f => f.Fd ?? -1))
            {
                b.Append(ReasonsRenderer.FindingLine(f)).Append('\n');
            }

            b.Append('\n');
        }

        b.Append(CriuLine(j)).Append('\n');
        b.Append(VerdictLine(j)).Append('\n');
        if (Text.CriuCommand(j, userTokens) is { } command)
        {
            b.Append(command).Append('\n');
        }

        return b.ToString();
    }

    /// <summary>Exactly the seed's /proc/PID/checkpointable: "mm: 1\nfiles: 0\n…".</summary>
    public static string ProcessFile(Judgement j, int pid) => Flags(s => j.SubsystemState(pid, s));

    /// <summary>
    /// The seed's file for a whole tree, as `criu dump -t ROOT` sees it: a subsystem is 0 when the tree has a
    /// blocker in it, whichever process holds it. For a one-process tree this is exactly <see cref="ProcessFile"/> of the root.
    /// </summary>
    public static string TreeFile(Judgement j) => Flags(j.TreeSubsystemState);

    private static string Flags(Func<Subsystem, int> state)
    {
        var b = new StringBuilder();
        foreach (var s in Enum.GetValues<Subsystem>())
        {
            b.Append(Text.Name(s)).Append(": ").Append(state(s) switch { 1 => '1', 0 => '0', _ => '?' }).Append('\n');
        }

        return b.ToString();
    }

    /// <summary>What criu is assumed to run as: "criu: uid 0, gid 0, without CAP_SYS_RESOURCE (the checker's own capabilities)".</summary>
    public static string CriuLine(Judgement j) => $"criu: {j.Criu.Describe()}";

    public static string VerdictLine(Judgement j)
    {
        int blockers = j.Blockers.Count();
        int processes = j.Tree.Members.Count;
        string tree = processes == 1 ? "1 process" : $"{processes} processes";
        return j.Verdict switch
        {
            Verdict.Checkpointable => $"verdict: 1 (checkpointable with these options; tree of {tree})",
            Verdict.Undecided => $"verdict: ? (undecided: some evidence could not be read; tree of {tree})",
            _ when j.EvidenceMissing =>
                $"verdict: 0 (not checkpointable: {Plural(blockers, "blocker")}; some evidence could not be read, so no working command is named)",
            _ when j.MissingOptions is { Count: > 0 } m =>
                $"verdict: 0 (not checkpointable as asked: {Plural(blockers, "blocker")}; with {string.Join(' ', m)} it would be)",
            _ => $"verdict: 0 (not checkpointable: {Plural(blockers, "blocker")}, {Plural(j.Blockers.Count(f => f.Lift.Count == 0), "with no criu option to lift it", "with no criu option to lift them")})",
        };
    }

    private static string Plural(int n, string one, string? many = null) =>
        n == 1 ? $"1 {one}" : $"{n} {many ?? one + "s"}";
}
