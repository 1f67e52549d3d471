namespace Checkpointable.Rules.Task;

/// <summary>T5: criu refuses a tree that contains criu itself or one of its ancestors (compel/src/lib/infect.c:259).</summary>
/// <remarks>criu would run where we run, so our own lineage stands for criu's.</remarks>
public sealed class CheckerInTreeRule : IRule
{
    public string Name => nameof(CheckerInTreeRule);

    public void Evaluate(RuleContext c)
    {
        var inside = c.Processes.FirstOrDefault(p => c.Host.CheckerLineage.Contains(p.Pid));
        if (inside is not null)
        {
            c.Report("T5", Subsystem.Task, c.Root, "tree",
                $"the tree contains {inside.Pid} ({inside.Comm}), an ancestor of the checker: criu run from here would be inside the tree it dumps",
                "The criu itself is within dumped tree. (compel/src/lib/infect.c:259)");
        }
    }
}
