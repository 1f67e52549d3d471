namespace Checkpointable.Rules.Host;

/// <summary>
/// §12 and option checks criu makes before freezing (crtools.c, config.c): --inherit-fd is restore-only,
/// and criu needs root (or --unprivileged with CAP_CHECKPOINT_RESTORE).
/// </summary>
public sealed class HostRule : IRule
{
    public string Name => nameof(HostRule);

    public void Evaluate(RuleContext c)
    {
        if (c.Options.InheritFd.Count > 0)
        {
            c.Report("H-INHERIT", Subsystem.Host, c.Root, "options", "--inherit-fd is a restore option; criu dump rejects it (remove it)",
                "--inherit-fd is restore-only option (criu/crtools.c:292)");
        }

        if (!c.Host.IsRoot && !c.Options.Unprivileged)
        {
            c.Report("H-ROOT", Subsystem.Host, c.Root, "host", "criu dump needs root (or --unprivileged with CAP_CHECKPOINT_RESTORE); this check ran without root",
                severity: Severity.Risk);
        }
    }
}
