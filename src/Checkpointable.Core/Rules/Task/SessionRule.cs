using Checkpointable.Model;

namespace Checkpointable.Rules.Task;

/// <summary>
/// T20: the root must lead its session unless --shell-job (pstree.c:304); T21: a task whose session leader
/// is outside its pid namespace is refused whatever the options (cr-dump.c:1681).
/// </summary>
public sealed class SessionRule : IRule
{
    public string Name => nameof(SessionRule);

    public void Evaluate(RuleContext c)
    {
        if (c.Root.Stat is { } st && c.Root.Status is { } status && !c.Root.IsZombie)
        {
            // Compare in the root's own pid namespace: NSsid and NSpid last columns.
            int sid = status.InnermostSid >= 0 ? status.InnermostSid : st.Session;
            if (sid != 0 && sid != status.InnermostPid)
            {
                c.Report("T20", Subsystem.Task, c.Root, "process",
                    $"the root is not a session leader (session {st.Session}, led by {Describe(c, st.Session)})",
                    "The root process %d is not a session leader. Consider using --shell-job option (criu/pstree.c:304)",
                    lift: ["--shell-job"], liftedNow: c.Options.ShellJob);
            }
        }

        foreach (var p in c.Processes)
        {
            if (p.Status is { NsSid.Count: > 0 } s && s.NsSid[^1] == 0)
            {
                c.Report("T21", Subsystem.Task, p, "process", "its session leader is outside its pid namespace (NSsid ends in 0; setsid() inside the namespace fixes it)",
                    "A session leader of %d(%d) is outside of its pid namespace (criu/cr-dump.c:1681)");
            }
        }
    }

    private static string Describe(RuleContext c, int pid) =>
        c.Snapshot.Processes.TryGetValue(pid, out var p) && p.Stat is not null
            ? $"{pid} ({p.Comm}, {(c.Tree.Contains(pid) ? "inside" : "outside")} the tree)"
            : $"{pid}, outside the tree";
}
