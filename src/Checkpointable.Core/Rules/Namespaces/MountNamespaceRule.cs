using Checkpointable.Model;

namespace Checkpointable.Rules.Namespaces;

/// <summary>
/// §8 (mount.c validate_mounts): when the root has its own mount namespace criu dumps it: file systems it does
/// not know are refused (M1, mount.c:724), so are bind mounts whose file system has no mount of its root in the
/// namespace (M2, mount.c:753), two mounts on one mountpoint under one parent (M3, mount.c:687) and FUSE mounts
/// (M4); tmpfs needs tar (M5). A chroot'ed root is ChrootRule's.
/// </summary>
public sealed class MountNamespaceRule : IRule
{
    /// <summary>criu/filesystems.c fstypes with a dump method (or that need none).</summary>
    private static readonly HashSet<string> s_known =
    [
        "proc", "sysfs", "devtmpfs", "binfmt_misc", "tmpfs", "devpts", "simfs", "pstore", "mqueue", "securityfs",
        "fusectl", "debugfs", "tracefs", "cgroup", "cgroup2", "aufs", "overlay", "autofs",
    ];

    public string Name => nameof(MountNamespaceRule);

    public void Evaluate(RuleContext c)
    {
        if (!c.RootHasOwn(NamespaceKind.Mnt) || c.Snapshot.MountsOf(c.Root)?.Entries is not { Count: > 0 } mounts)
        {
            return;
        }

        var rootMount = mounts.FirstOrDefault(m => m.MountPoint == "/");
        var dumped = DumpedMounts.Of(c);
        foreach (var m in mounts)
        {
            // validate_mounts skips a mount that is, or can be bind-mounted from, an external one (mount.c:705, M-EXTBIND).
            if (m == rootMount || c.Options.SkipMounts.Contains(m.MountPoint) || dumped?.IsExternalBind(m) == true)
            {
                continue;
            }

            if (mounts.FirstOrDefault(o => o != m && o.ParentId == m.ParentId && o.MountPoint == m.MountPoint) is { } twin && twin.MountId < m.MountId)
            {
                c.Report("M3", Subsystem.Namespaces, c.Root, $"mount {m.MountPoint}", $"mounts {twin.MountId} and {m.MountId} share parent {m.ParentId} and mountpoint {m.MountPoint}",
                    "Mount %d has two children with same mountpoint: %d %d (criu/mount.c:687)");
            }

            if (m.Root != "/" && !IsRootBind(m, rootMount) && !mounts.Any(o => o.Device == m.Device && o.Root == "/"))
            {
                c.Report("M2", Subsystem.Namespaces, c.Root, $"mount {m.MountPoint}",
                    $"bind mount {m.MountPoint} (root {m.Root} of {m.FsType} {m.Device}) has no mount of its file system's root in the namespace",
                    "%d:%s doesn't have a proper root mount (criu/mount.c:753)",
                    lift: [$"--external mnt[{m.MountPoint}]:{Key(m)}"]);
                continue;
            }

            string baseType = m.FsType.Split('.')[0];
            bool enabled = c.Options.EnableFs.Contains("all") || c.Options.EnableFs.Contains(m.FsType);
            if (baseType == "fuse")
            {
                c.Report("M4", Subsystem.Namespaces, c.Root, $"mount {m.MountPoint}", $"FUSE mount {m.MountPoint} ({m.FsType}) in the root's mount namespace",
                    "%s is a fuse mount but not external (criu/filesystems.c:552)", lift: [$"--external mnt[{m.MountPoint}]:{Key(m)}"]);
            }
            else if (!s_known.Contains(baseType) && m.Root == "/" && !enabled)
            {
                c.Report("M1", Subsystem.Namespaces, c.Root, $"mount {m.MountPoint}",
                    $"mount {m.MountPoint} has file system type {m.FsType}, which criu cannot dump",
                    "FS mnt %s dev %#x root %s unsupported id %d (criu/mount.c:724)",
                    lift: [$"--enable-fs {m.FsType}"]);
            }
            else if (baseType is "tmpfs" or "devtmpfs" && !c.Host.HasTool("tar"))
            {
                c.Report("M5", Subsystem.Host, c.Root, $"mount {m.MountPoint}", $"criu archives tmpfs {m.MountPoint} with tar, which is not installed");
            }
        }
    }

    /// <summary>A bind of the namespace's root mount (mnt_is_root_bind): restored from the root itself.</summary>
    private static bool IsRootBind(MountEntry m, MountEntry? root) =>
        root is not null && m.Device == root.Device
        && (root.Root == "/" || m.Root == root.Root || m.Root.StartsWith(root.Root + "/", StringComparison.Ordinal));

    internal static string Key(MountEntry m) => m.MountPoint.Trim('/').Replace('/', '-') is { Length: > 0 } k ? k : "root";
}
