namespace Checkpointable.Rules.Task;

/// <summary>T6: a thread with SIGTRAP pending (bit 0x10 of SigPnd or ShdPnd) is refused (compel/src/lib/infect.c:322).</summary>
public sealed class PendingSigtrapRule : IRule
{
    private const ulong SigTrap = 1UL << 4;

    public string Name => nameof(PendingSigtrapRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            var t = p.Threads.FirstOrDefault(t => ((t.SigPnd | t.ShdPnd) & SigTrap) != 0);
            if (t is not null)
            {
                c.Report("T6", Subsystem.Task, p, $"thread {t.Tid}", $"thread {t.Tid} has SIGTRAP pending",
                    "Can't dump the %d thread with a pending SIGTRAP. (compel/src/lib/infect.c:322)");
            }
        }
    }
}
