using Checkpointable.Model;

namespace Checkpointable.Rules.Files;

/// <summary>
/// §5.1 (files-reg.c): a file must be found on a mount of one of the tree's mount namespaces (F-REG1) that is not
/// overmounted (F-REG2); a deleted file is saved as a ghost up to --ghost-limit (F-REG3); a linked file whose
/// name is gone needs --link-remap (F-REG4), which cannot help when the hard link would cross mounts (a node
/// under a mount that now covers its directory, F-OVERDEV for device nodes); a name now leading to another
/// inode is refused (F-REG5); on FUSE without allow_other criu cannot reopen it for the build-id (F-REG8).
/// Files on procfs skip every path check: a /proc/PID of a dead process becomes a dead-process remap
/// (F-DEADPID, files-reg.c:1306-1352). Files on the internal hugetlbfs are memfds (HugetlbRule).
/// </summary>
public sealed class RegularFileRule : IRule
{
    /// <summary>Major of /dev/null, /dev/zero, … (include/uapi/linux/major.h MEM_MAJOR).</summary>
    private const int MemMajor = 1;

    /// <summary>procfs (files-reg.c check_path_remap: PROC_SUPER_MAGIC).</summary>
    private const string ProcFsType = "proc";

    public string Name => nameof(RegularFileRule);

    public void Evaluate(RuleContext c)
    {
        var mounts = c.TreeMounts;
        foreach (var p in c.Processes)
        {
            foreach (var fd in p.Fds)
            {
                if (fd.Stat is not { } st || c.Host.HugetlbOf(st.Device) is not null)
                {
                    continue;
                }

                if (fd.Kind is FdKind.RegularFile or FdKind.Directory or FdKind.Symlink or FdKind.Fifo
                    || (fd.Kind == FdKind.CharDevice && st.RDevice.Major == MemMajor))
                {
                    // /dev/null, /dev/zero, … are dumped as regular files by path (files.c dump_chrdev, MEM_MAJOR):
                    // the same mount lookup and path checks apply.
                    Check(c, p, fd, st, mounts);
                }
            }

            foreach (var (name, mnt) in p.SpecialFileMounts)
            {
                if (mounts is not null && !mounts.Contains(mnt) && !(name == "exe" && p.Mappings.Any(m => m.MountId == mnt)))
                {
                    c.Report("F-REG1", Subsystem.Files, p, name, $"its {name} is on mount {mnt}, which is in none of the mount namespaces criu collects for this tree",
                        "Can't lookup mount=%d for fd=%d path=%s (criu/files-reg.c:1790)");
                }
            }
        }
    }

    /// <summary>
    /// F-REG1/F-REG2: the file's mount must be in one of the tree's namespaces and visible. False when a finding was
    /// reported; <paramref name="mount"/> is the mount when it could be checked.
    /// </summary>
    private static bool CheckMount(RuleContext c, ProcessSnapshot p, FdEntry fd, FileStat st, MountTable? mounts, out MountEntry? mount)
    {
        mount = null;
        int mnt = fd.Info?.MountId ?? -1;
        if (mnt < 0 || mounts is null || c.Options.IsExternalFile(mnt, st.Inode))
        {
            return true;
        }

        string external = $"--external file[{mnt:x}:{st.Inode:x}]";
        mount = mounts.Find(mnt);
        if (mount is null)
        {
            c.Report("F-REG1", Subsystem.Files, p, RuleContext.Fd(fd.Fd), $"{fd.Link} is on mount {mnt}, which is in none of the mount namespaces criu collects for this tree (opened before the tree changed namespace, or an internal mount)",
                "Can't lookup mount=%d for fd=%d path=%s (criu/files-reg.c:1790)", lift: [external], fd: fd.Fd);
            return false;
        }

        if (Overmount.IsOvermounted(mount, mounts))
        {
            c.Report("F-REG2", Subsystem.Files, p, RuleContext.Fd(fd.Fd), $"{fd.Link} is on mount {mnt} ({mount.MountPoint}), which another mount now covers",
                "Open files on overmounted mounts are not supported yet; mount=%d fd=%d path=%s (criu/files-reg.c:1796)", lift: [external], fd: fd.Fd);
            return false;
        }

        return true;
    }

    private static void Check(RuleContext c, ProcessSnapshot p, FdEntry fd, FileStat st, MountTable? mounts)
    {
        string res = RuleContext.Fd(fd.Fd);
        string path = fd.PathWithoutDeleted;
        int mnt = fd.Info?.MountId ?? -1;
        string external = $"--external file[{mnt:x}:{st.Inode:x}]";
        if (mnt >= 0 && c.Options.IsExternalFile(mnt, st.Inode))
        {
            return; // criu skips every path check for external files
        }

        if (!CheckMount(c, p, fd, st, mounts, out var mount))
        {
            return;
        }

        if (mount is not null)
        {
            if (mount.FsType == ProcFsType)
            {
                return; // F-DEADPID: a live /proc/PID is taken as it is, a dead one is remapped (files-reg.c:1306-1352)
            }

            if (mount.FsType.StartsWith("fuse", StringComparison.Ordinal) && !mount.SuperOptions.Contains("allow_other", StringComparison.Ordinal)
                && st.IsRegular && st.Size >= 5 && c.Options.FileValidation != "filesize")
            {
                c.Report("F-REG8", Subsystem.Files, p, res, $"{fd.Link} is on FUSE mount {mount.MountPoint} without allow_other: criu may fail to reopen it to read its build-id",
                    "Build-ID (For validation) could not be obtained for file %s because can't open the file (criu/files-reg.c:1709)",
                    lift: ["--file-validation filesize"], fd: fd.Fd, severity: Severity.Risk, certainty: Certainty.Likely);
            }
        }

        if (st.Links == 0)
        {
            if (st.AllocatedBytes > c.Options.GhostLimit)
            {
                c.Report("F-REG3", Subsystem.Files, p, res,
                    $"deleted file {path} has {Size.Format(st.AllocatedBytes)} allocated, over the ghost limit of {Size.Format(c.Options.GhostLimit)}",
                    "Can't dump ghost file %s of %lu size, increase limit (criu/files-reg.c:1031)",
                    lift: [$"--ghost-limit {Size.Limit(st.AllocatedBytes)}"], fd: fd.Fd);
            }

            return;
        }

        var now = c.PathAsCriuSeesIt(fd);
        if (now is { Errno: Interop.Libc.ENOENT })
        {
            CheckLinkRemap(c, p, fd, now, mnt, external);
        }
        else if (now?.Stat is { } other && (other.Inode != st.Inode || other.Device != st.Device))
        {
            c.Report("F-REG5", Subsystem.Files, p, res, $"{path} now names another file (inode {other.Inode} on {other.Device}, the fd has {st.Inode} on {st.Device})",
                "Unaccessible path opened %u:%u, need %u:%u (criu/files-reg.c:1444)", lift: mnt >= 0 ? [external] : null, fd: fd.Fd);
        }
    }

    /// <summary>
    /// F-REG4/F-OVERDEV: the name is gone while the file is linked. criu hard-links it back into the nearest existing
    /// parent directory (files-reg.c create_link_remap, only with --link-remap); when that directory is on another
    /// mount (a mount now covers the file's directory) linkat fails with EXDEV and only declaring the file external
    /// helps. criu links from the root of the namespace of the file's mount (files-reg.c:1155), as it resolves.
    /// </summary>
    private static void CheckLinkRemap(RuleContext c, ProcessSnapshot p, FdEntry fd, PathResolution now, int mnt, string external)
    {
        string path = fd.PathWithoutDeleted;
        string id = fd.Kind == FdKind.CharDevice ? "F-OVERDEV" : "F-REG4";
        string what = fd.PathDeleted
            ? $"{path} was unlinked but the file still has {fd.Stat?.Links} other link(s)"
            : $"{path} no longer resolves where criu looks (its directory was moved or covered, or criu resolves from its own \"/\" a file of a mount namespace nested in its own) while the file is still linked";
        bool crossesMounts = mnt >= 0 && now.RemapDirMountId >= 0 && now.RemapDirMountId != mnt;
        if (crossesMounts)
        {
            c.Report(id, Subsystem.Files, p, RuleContext.Fd(fd.Fd),
                $"{what}; criu's link remap would link it into a directory on mount {now.RemapDirMountId}, not its own mount {mnt} (EXDEV)",
                c.Options.LinkRemap
                    ? "Can't link remap to %s: Invalid cross-device link (criu/files-reg.c:1159)"
                    : "Can't create link remap for %s. Use link-remap option. (criu/files-reg.c:1122)",
                lift: [external], fd: fd.Fd);
            return;
        }

        c.Report(id, Subsystem.Files, p, RuleContext.Fd(fd.Fd), what,
            "Can't create link remap for %s. Use link-remap option. (criu/files-reg.c:1122)",
            lift: ["--link-remap"], liftedNow: c.Options.LinkRemap, fd: fd.Fd);
    }
}
