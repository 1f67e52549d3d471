namespace Checkpointable.Rules.Task;

/// <summary>T25: the parasite needs an executable mapping to run from (parasite-syscall.c:392).</summary>
public sealed class ExecutableVmaRule : IRule
{
    public string Name => nameof(ExecutableVmaRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            if (!p.IsZombie && p.Mappings.Count > 0 && !p.Mappings.Any(m => m.IsExecutable && m.Path != "[vsyscall]"))
            {
                c.Report("T25", Subsystem.Task, p, "process", "no executable mapping for criu's parasite code",
                    "No suitable VM found (criu/parasite-syscall.c:392)");
            }
        }
    }
}
