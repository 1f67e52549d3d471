using Checkpointable.Model;

namespace Checkpointable.Rules.Namespaces;

/// <summary>
/// M-SHARE (mount.c:1052-1097 resolve_shared_mounts, run before validate_mounts at mount.c:4022-4027): a slave
/// mount (mountinfo <c>master:N</c>) of the dumped namespaces must find its master among them (a mount of peer
/// group N), or receive it from an external mount or from the root mount of the root's namespace on the same
/// file system with the same master; otherwise "unreachable sharing". The message says
/// --enable-external-masters, but that flag only matters to autodetected external mounts (mount.c:875), so the
/// lift is <c>--external mnt[]:m</c> where criu's namespace has the master, or the mount declared external.
/// </summary>
public sealed class MountSharingRule : IRule
{
    public string Name => nameof(MountSharingRule);

    public void Evaluate(RuleContext c)
    {
        if (DumpedMounts.Of(c) is not { } dumped)
        {
            return;
        }

        foreach (var (m, _) in dumped.Entries)
        {
            if (m.MasterGroup == 0
                || dumped.Entries.Any(t => t.Mount.MountId != m.MountId && t.Mount.SharedGroup == m.MasterGroup)
                || dumped.BindsOf(m).Any(b => b.MasterGroup == m.MasterGroup && DumpedMounts.IsSubPath(m.Root, b.Root)
                    && (dumped.IsExternal(b) || dumped.IsRootNamespaceRoot(b))))
            {
                continue;
            }

            c.Report("M-SHARE", Subsystem.Namespaces, c.Root, $"mount {m.MountPoint}",
                $"mount {m.MountPoint} is a slave of peer group {m.MasterGroup}, which no dumped mount namespace has",
                "Mount %d %s (master_id: %d shared_id: %d) has unreachable sharing. Try --enable-external-masters. (criu/mount.c:1092)",
                lift: Lift(c, dumped, m));
        }
    }

    /// <summary>Autodetection with external masters (and sharing, for a mount both shared and slave), else the mount declared external.</summary>
    private static IReadOnlyList<string> Lift(RuleContext c, DumpedMounts dumped, MountEntry m)
    {
        if (dumped.Autodetected(m, sharing: true, masters: true) is not null)
        {
            return m.SharedGroup != 0 ? ["--external mnt[]:m", "--enable-external-sharing"] : ["--external mnt[]:m"];
        }

        return c.RootHasOwn(NamespaceKind.Mnt) && c.Snapshot.MountsOf(c.Root)?.Contains(m.MountId) == true
            ? [$"--external mnt[{m.MountPoint}]:{MountNamespaceRule.Key(m)}"]
            : [];
    }
}
