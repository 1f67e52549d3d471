namespace Checkpointable.Rules.Task;

/// <summary>
/// T7/T8/T9: a group-stopped task is fine when SIGSTOP/SIGTSTP stopped it and refused for SIGTTIN/SIGTTOU
/// (infect.c:359); /proc does not show which, so the proxy of criu-dump-rules.md §13.2 is used. Some threads
/// stopped and others not is refused (seize.c:952).
/// </summary>
public sealed class StoppedTaskRule : IRule
{
    public string Name => nameof(StoppedTaskRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            if (p.Stat is not { } st || p.IsZombie)
            {
                continue;
            }

            var live = p.Threads.Where(t => t.State != 'Z' && t.State != 'X').ToList();
            int stopped = live.Count(t => t.State == 'T');
            if (stopped > 0 && stopped < live.Count)
            {
                c.Report("T9", Subsystem.Task, p, "process", $"{stopped} of {live.Count} threads are stopped individually",
                    "Individually stopped threads not supported (criu/seize.c:952)", isVolatile: true);
            }

            if (st.State != 'T')
            {
                continue;
            }

            // A background job of a terminal (ctty set, not the foreground group) is most likely stopped by
            // SIGTTIN/SIGTTOU; anything else most likely by SIGSTOP/SIGTSTP, which criu accepts (T7).
            if (st.HasControllingTty && st.ForegroundGroup > 0 && st.ProcessGroup != st.ForegroundGroup)
            {
                c.Report("T8", Subsystem.Task, p, "process",
                    $"stopped background job of tty {st.ControllingTty} (process group {st.ProcessGroup}, foreground {st.ForegroundGroup}): most likely stopped by SIGTTIN/SIGTTOU",
                    "SEIZE %d: unsupported stop signal %d (compel/src/lib/infect.c:359)", certainty: Certainty.Likely, isVolatile: true);
            }
            else
            {
                c.Report("T7", Subsystem.Task, p, "process", "stopped (most likely by SIGSTOP/SIGTSTP, which criu accepts; SIGTTIN/SIGTTOU would be refused)",
                    severity: Severity.Risk, certainty: Certainty.Likely);
            }
        }
    }
}
