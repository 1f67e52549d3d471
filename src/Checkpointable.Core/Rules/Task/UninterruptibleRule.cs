namespace Checkpointable.Rules.Task;

/// <summary>
/// T10: a task in uninterruptible sleep cannot be interrupted; criu waits --timeout seconds and fails
/// (cr-dump.c:1808, infect.c:261). A vfork parent waits until its child execs or exits.
/// </summary>
public sealed class UninterruptibleRule : IRule
{
    public string Name => nameof(UninterruptibleRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            var dThread = p.Threads.FirstOrDefault(t => t.State == 'D');
            if (p.Stat?.State != 'D' && dThread is null)
            {
                continue;
            }

            string wchan = (p.Wchan ?? string.Empty).Trim();
            bool vfork = wchan is "kernel_clone" or "wait_for_vfork_done" or "do_fork" or "_do_fork";
            string reason = vfork
                ? $"vfork parent waiting for its child to exec or exit (wchan {wchan}); criu gives up after --timeout ({c.Options.TimeoutSeconds} s)"
                : $"in uninterruptible sleep (state D{(wchan.Length > 0 ? $", wchan {wchan}" : string.Empty)}); criu fails unless it ends within --timeout ({c.Options.TimeoutSeconds} s)";
            c.Report("T10", Subsystem.Task, p, "process", reason,
                "Timeout reached. Try to interrupt: %d (criu/cr-dump.c:1808)",
                certainty: vfork ? Certainty.Certain : Certainty.Likely, isVolatile: true,
                severity: vfork ? Severity.Blocker : Severity.Risk);
        }
    }
}
