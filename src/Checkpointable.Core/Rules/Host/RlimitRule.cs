using System.Globalization;
using Checkpointable.Model;

namespace Checkpointable.Rules.Host;

/// <summary>
/// H-RLIM: criu reads every task's rlimits with prlimit64(pid) (criu/cr-dump.c:380-393 dump_task_rlimits, called
/// from dump_task_core_all, cr-dump.c:827) and fails the dump on EPERM. kernel/sys.c check_prlimit_permission
/// allows it only when criu's real uid equals the target's real, effective and saved uid and criu's real gid its
/// real, effective and saved gid, or when criu has CAP_SYS_RESOURCE in the target's user namespace
/// (ns_capable: criu's own capability, or criu's euid created the target's namespace below criu's).
/// prlimit64 takes the thread-group leader's pid, so only the leader's credentials count: a non-leader thread
/// with other ids does not stop the dump (checked with criu 4.2, subject thread-uid-nobody). Zombies are not
/// dumped through dump_task_core_all (cr-dump.c dump_zombies). Without CAP_SYS_RESOURCE criu also logs
/// "rlimit: Can't setup RLIMIT_NOFILE for self" (criu/util.c:1534) on every run: not fatal (H-NOISE).
/// </summary>
public sealed class RlimitRule : IRule
{
    public string Name => nameof(RlimitRule);

    public void Evaluate(RuleContext c)
    {
        var criu = c.Criu;
        if (criu.Has(Capability.SysResource))
        {
            return;
        }

        foreach (var p in c.Processes)
        {
            if (p.IsZombie || p.Status is not { Uids: { } uids, Gids: { } gids })
            {
                continue;
            }

            if (uids.AreAll(criu.Uids.Real) && gids.AreAll(criu.Gids.Real))
            {
                continue;
            }

            bool ownNamespace = p.Namespaces[NamespaceKind.User] == 0 || p.Namespaces[NamespaceKind.User] == c.Host.CheckerNamespaces[NamespaceKind.User];
            if (!ownNamespace && p.UserNamespaceCreator == criu.Uids.Effective)
            {
                continue; // the creator of the namespace has every capability in it (kernel/capability.c)
            }

            string asUser = uids.AreAll(uids.Real) && gids.AreAll(gids.Real)
                ? $" or as uid {Id(uids.Real)} gid {Id(gids.Real)}"
                : string.Empty;
            string where = ownNamespace ? string.Empty : " in its user namespace (not created by criu's euid)";
            c.Report("H-RLIM", Subsystem.Host, p, "process",
                $"{p.Pid} ({p.Comm}) runs as uid {uids} gid {gids} (real/effective/saved), criu as uid {Id(criu.Uids.Real)} gid {Id(criu.Gids.Real)}: "
                + $"criu without CAP_SYS_RESOURCE{where} cannot read its rlimits (prlimit64: EPERM); run criu with CAP_SYS_RESOURCE{asUser}",
                "Can't get rlimit 0: Operation not permitted (criu/cr-dump.c:388)",
                certainty: ownNamespace || p.UserNamespaceCreator is not null ? Certainty.Certain : Certainty.Likely);
        }
    }

    private static string Id(uint id) => id.ToString(CultureInfo.InvariantCulture);
}
