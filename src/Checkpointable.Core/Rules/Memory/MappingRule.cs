using Checkpointable.Model;

namespace Checkpointable.Rules.Memory;

/// <summary>
/// §4, the memory rules criu applies while collecting VMAs (proc_parse.c, files-reg.c): ghost size of
/// deleted mapped files (M-DEL), linked-but-moved files (M-UNLINKED), device mappings (M-DEV), anon-inode
/// mappings such as io_uring rings (M-ANONINODE), [uprobes] (M-UP), and files on mounts none of the tree's
/// mount namespaces has (M-MNT; criu looks a mount up across all of them, mount.c:229).
/// </summary>
public sealed class MappingRule : IRule
{
    public string Name => nameof(MappingRule);

    public void Evaluate(RuleContext c)
    {
        var mounts = c.TreeMounts;
        foreach (var p in c.Processes)
        {
            var seen = new HashSet<(DeviceId, ulong)>();
            foreach (var m in p.Mappings)
            {
                Check(c, p, m, mounts, seen);
            }
        }
    }

    private static void Check(RuleContext c, ProcessSnapshot p, MemoryMapping m, MountTable? mounts, HashSet<(DeviceId, ulong)> seen)
    {
        string res = $"mapping {m.Range}";
        if (m.Path == "[uprobes]")
        {
            c.Report("M-UP", Subsystem.Mm, p, res, "has a [uprobes] mapping (a uprobe fired in it)",
                "PID %d has uprobes vma. Consider using --allow-uprobes. (criu/proc_parse.c:614)",
                lift: ["--allow-uprobes"], liftedNow: c.Options.AllowUprobes);
            return;
        }

        if (m.Path.Length == 0 || m.Path[0] == '[' || m.Path == "/[aio] (deleted)")
        {
            return; // anonymous memory, stack, heap, vdso, AIO ring: all dumped
        }

        if (m.Path.StartsWith("anon_inode:", StringComparison.Ordinal) || m.FileStat is { FileType: 0 })
        {
            c.Report("M-ANONINODE", Subsystem.Mm, p, res, $"maps an anon-inode file ({m.Path}); criu cannot dump such mappings, even after the fd is closed",
                "Unknown shit %o (%s) (criu/proc_parse.c:502)");
            return;
        }

        bool shmem = c.Host.ShmemDevice is { } shm && m.Device == shm;
        if (shmem || c.Host.HugetlbOf(m.Device) is not null)
        {
            return; // memfd, shared anonymous memory, their hugetlb twins (HugetlbRule): contents dumped; SysV shm is the IPC rule's
        }

        if (m.FileStat is { } st && (st.IsCharDevice || st.IsBlockDevice))
        {
            if (st.IsCharDevice && st.RDevice == new DeviceId(1, 5))
            {
                return; // /dev/zero
            }

            bool plugin = c.Host.Plugins.Any(x => x.StartsWith("amdgpu", StringComparison.Ordinal)) && st.RDevice.Major == 226;
            c.Report("M-DEV", Subsystem.Mm, p, res, $"maps device {m.Path} ({(st.IsCharDevice ? "chr" : "blk")} {st.RDevice})",
                "Can't handle non-regular mapping on %d's map %lx (criu/proc_parse.c:663)", liftedNow: plugin);
            return;
        }

        if (!seen.Add((m.Device, m.Inode)))
        {
            return; // one finding per mapped file
        }

        if (m.MountId >= 0 && mounts is not null && !mounts.Contains(m.MountId))
        {
            c.Report("M-MNT", Subsystem.Mm, p, res,
                $"maps {m.Path} through mount {m.MountId}, which is in none of the mount namespaces criu collects for this tree (mapped before the tree changed namespace)",
                "Can't lookup mount=%d for fd=%d path=%s (criu/files-reg.c:1790)",
                lift: [$"--external file[{m.MountId:x}:{m.Inode:x}]"], liftedNow: c.Options.IsExternalFile(m.MountId, m.Inode));
        }

        if (!m.PathDeleted)
        {
            return;
        }

        if (m.FileStat is not { } f)
        {
            c.Report("M-DEL", Subsystem.Mm, p, res, $"maps deleted file {m.Path} whose size could not be read ({Interop.Libc.ErrnoName(m.FileStatErrno)})",
                severity: Severity.Unknown);
        }
        else if (f.Links > 0 && m.PathErrno == Interop.Libc.ENOENT)
        {
            c.Report("M-UNLINKED", Subsystem.Mm, p, res, $"maps {m.Path}: its name was removed but the file still has {f.Links} link(s)",
                "Can't create link remap for %s. Use link-remap option. (criu/files-reg.c:1122)",
                lift: ["--link-remap"], liftedNow: c.Options.LinkRemap);
        }
        else if (f.Links == 0 && f.AllocatedBytes > c.Options.GhostLimit)
        {
            c.Report("M-DEL", Subsystem.Mm, p, res,
                $"maps deleted file {m.Path} with {Size.Format(f.AllocatedBytes)} allocated, over the ghost limit of {Size.Format(c.Options.GhostLimit)}",
                "Can't dump ghost file %s of %lu size, increase limit (criu/files-reg.c:1031)",
                lift: [$"--ghost-limit {Size.Limit(f.AllocatedBytes)}"]);
        }
    }
}
