namespace Checkpointable.Rules.Task;

/// <summary>T3: a kernel thread cannot be seized (PTRACE_SEIZE gives EPERM; compel/src/lib/infect.c:131).</summary>
public sealed class KernelThreadRule : IRule
{
    public string Name => nameof(KernelThreadRule);

    public void Evaluate(RuleContext c)
    {
        if (c.Root.Stat is { IsKernelThread: true })
        {
            c.Report("T3", Subsystem.Task, c.Root, "process", $"{c.Root.Pid} ({c.Root.Comm}) is a kernel thread; kernel threads cannot be checkpointed",
                "Unable to interrupt task: %d (%s) (compel/src/lib/infect.c:131)");
        }
    }
}
