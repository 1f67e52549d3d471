namespace Checkpointable.Rules.Task;

/// <summary>T4: a task already ptraced by anyone (inside or outside the tree) cannot be seized (infect.c:131, :261).</summary>
public sealed class TracedRule : IRule
{
    public string Name => nameof(TracedRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            var traced = p.Threads.FirstOrDefault(t => t.TracerPid != 0);
            int tracer = traced?.TracerPid ?? p.Status?.TracerPid ?? 0;
            if (tracer == 0 || p.IsZombie)
            {
                continue;
            }

            string where = c.Tree.Contains(tracer) ? "inside the tree" : "outside the tree";
            string who = traced is not null && traced.Tid != p.Pid ? $"thread {traced.Tid}" : "it";
            c.Report("T4", Subsystem.Task, p, "process", $"{who} is ptraced by {tracer} ({where}); criu cannot seize a traced task",
                p == c.Root ? "Unable to interrupt task: %d (%s) (compel/src/lib/infect.c:131)" : "Unseizable non-zombie %d found, state %c, err %d/%d (compel/src/lib/infect.c:261)");
        }
    }
}
