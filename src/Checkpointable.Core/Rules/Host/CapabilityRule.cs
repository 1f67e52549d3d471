using System.Globalization;
using Checkpointable.Model;

namespace Checkpointable.Rules.Host;

/// <summary>
/// criu's own privileges, checked before anything else (criu/crtools.c:213 check_caps, criu/cr-check.c:1927-1964;
/// kerndat): every criu, root or not, needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in its effective set; a
/// non-root criu needs --unprivileged; a root criu without CAP_SYS_ADMIN cannot create the network namespace its
/// nftables probe runs in unless --unprivileged skips that probe (kerndat.c:1898, :1601, :1922).
/// Which privileges criu has is our --criu-caps (the checker's own by default).
/// </summary>
public sealed class CapabilityRule : IRule
{
    public string Name => nameof(CapabilityRule);

    public void Evaluate(RuleContext c)
    {
        var criu = c.Criu;
        string who = $"criu as uid {criu.Uids.Effective.ToString(CultureInfo.InvariantCulture)} ({criu.SourceText()})";
        if (!criu.Has(Capability.SysAdmin) && !criu.Has(Capability.CheckpointRestore))
        {
            // has_cap_checkpoint_restore (criu/include/util-caps.h:26) is asked before --unprivileged is looked at.
            c.Report("H-CAP", Subsystem.Host, c.Root, "host",
                $"{who} has neither CAP_SYS_ADMIN nor CAP_CHECKPOINT_RESTORE: criu refuses to start, with or without --unprivileged; run criu as root or with CAP_CHECKPOINT_RESTORE (setcap cap_checkpoint_restore+eip criu)",
                "CRIU needs to have the CAP_SYS_ADMIN or the CAP_CHECKPOINT_RESTORE capability (criu/cr-check.c:1961)");
        }
        else if (!criu.IsRoot)
        {
            c.Report("H-ROOT", Subsystem.Host, c.Root, "host",
                $"{who} is not root: criu then requires --unprivileged (and accepts its limits)",
                "Running as non-root requires '--unprivileged' (criu/cr-check.c:1946)",
                lift: ["--unprivileged"], liftedNow: c.Options.Unprivileged);
        }
        else if (!criu.Has(Capability.SysAdmin) && c.Host.CriuHasNftables)
        {
            // kerndat_has_nftables_concat unshares a network namespace (kerndat.c:1601) unless --unprivileged
            // (kerndat.c:1898 returns before it); only a criu built with libnftables has that probe (kerndat.c:1633).
            c.Report("H-CAP", Subsystem.Host, c.Root, "host",
                $"{who} lacks CAP_SYS_ADMIN: criu's startup probe cannot create a network namespace (unshare: EPERM) unless --unprivileged skips it",
                "Unable create a network namespace: Operation not permitted (criu/kerndat.c:1601); kerndat_has_nftables_concat failed when initializing kerndat (criu/kerndat.c:1922)",
                lift: ["--unprivileged"], liftedNow: c.Options.Unprivileged);
        }
    }
}
