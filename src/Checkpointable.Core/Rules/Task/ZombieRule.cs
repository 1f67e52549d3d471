namespace Checkpointable.Rules.Task;

/// <summary>
/// T11–T13, T23: a zombie child is fine; a zombie leader whose threads live (seize.c:882), a zombie
/// non-leader thread (seize.c:939) and a zombie root (infect.c:131 / cr-dump.c:1403) are not.
/// </summary>
public sealed class ZombieRule : IRule
{
    public string Name => nameof(ZombieRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            var liveThreads = p.Threads.Count(t => t.State != 'Z' && t.State != 'X');
            if (p.IsZombie && p == c.Root && liveThreads == 0)
            {
                c.Report("T23", Subsystem.Task, p, "process", "the root process is a zombie",
                    "Unable to interrupt task: %d (%s) (compel/src/lib/infect.c:131)");
            }
            else if (p.IsZombie && liveThreads > 0)
            {
                c.Report("T12", Subsystem.Task, p, "process", $"zombie thread-group leader with {liveThreads} live threads (the main thread called pthread_exit)",
                    "Zombies with threads are not supported (criu/seize.c:882)");
            }
            else if (!p.IsZombie && p.Threads.FirstOrDefault(t => t.State == 'Z' && t.Tid != p.Pid) is { } zt)
            {
                c.Report("T13", Subsystem.Task, p, $"thread {zt.Tid}", $"thread {zt.Tid} is a zombie",
                    "Zombie thread not supported (criu/seize.c:939)", isVolatile: true);
            }
        }
    }
}
