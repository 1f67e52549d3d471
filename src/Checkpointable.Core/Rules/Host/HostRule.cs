namespace Checkpointable.Rules.Host;

/// <summary>
/// §12 and option checks criu makes before freezing (crtools.c, config.c): --inherit-fd is restore-only.
/// criu's own privileges (root, --unprivileged, capabilities) are <see cref="CapabilityRule"/>'s.
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
    }
}
