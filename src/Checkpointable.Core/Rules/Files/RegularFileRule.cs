using Checkpointable.Model;

namespace Checkpointable.Rules.Files;

/// <summary>
/// §5.1 (files-reg.c): a file must be found on a mount of the task's namespace (F-REG1) that is not
/// overmounted (F-REG2); a deleted file is saved as a ghost up to --ghost-limit (F-REG3); a linked file
/// whose name is gone needs --link-remap (F-REG4); a name now leading to another inode is refused (F-REG5);
/// on FUSE without allow_other criu cannot reopen it for the build-id (F-REG8).
/// </summary>
public sealed class RegularFileRule : IRule
{
    public string Name => nameof(RegularFileRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            var mounts = c.Snapshot.MountsOf(p);
            foreach (var fd in p.Fds)
            {
                if (fd.Kind is FdKind.RegularFile or FdKind.Directory or FdKind.Symlink or FdKind.Fifo && fd.Stat is { } st)
                {
                    Check(c, p, fd, st, mounts);
                }
                else if (fd.Kind == FdKind.CharDevice && fd.Stat is { RDevice.Major: 1 } dev)
                {
                    // /dev/null, /dev/zero, … are dumped as regular files by path (files.c dump_chrdev, MEM_MAJOR):
                    // the same mount lookup applies, e.g. to stdio inherited across unshare(CLONE_NEWNS).
                    CheckMount(c, p, fd, dev, mounts, out _);
                }
            }

            foreach (var (name, mnt) in p.SpecialFileMounts)
            {
                if (mounts is not null && !mounts.Contains(mnt) && !(name == "exe" && p.Mappings.Any(m => m.MountId == mnt)))
                {
                    c.Report("F-REG1", Subsystem.Files, p, name, $"its {name} is on mount {mnt}, which is not in its mount namespace",
                        "Can't lookup mount=%d for fd=%d path=%s (criu/files-reg.c:1790)");
                }
            }
        }
    }

    /// <summary>
    /// F-REG1/F-REG2: the file's mount must be in the namespace and visible. False when a finding was reported;
    /// <paramref name="mount"/> is the mount when it could be checked.
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
            c.Report("F-REG1", Subsystem.Files, p, RuleContext.Fd(fd.Fd), $"{fd.Link} is on mount {mnt}, which is not in the process's mount namespace (opened before it changed namespace, or an internal mount)",
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

        if (fd.PathErrno == Interop.Libc.ENOENT)
        {
            c.Report("F-REG4", Subsystem.Files, p, res,
                fd.PathDeleted
                    ? $"{path} was unlinked but the file still has {st.Links} other link(s)"
                    : $"{path} no longer resolves (its directory was moved or covered) while the file is still linked",
                "Can't create link remap for %s. Use link-remap option. (criu/files-reg.c:1122)",
                lift: ["--link-remap"], liftedNow: c.Options.LinkRemap, fd: fd.Fd);
        }
        else if (fd.PathStat is { } now && (now.Inode != st.Inode || now.Device != st.Device))
        {
            c.Report("F-REG5", Subsystem.Files, p, res, $"{path} now names another file (inode {now.Inode} on {now.Device}, the fd has {st.Inode} on {st.Device})",
                "Unaccessible path opened %u:%u, need %u:%u (criu/files-reg.c:1444)", lift: mnt >= 0 ? [external] : null, fd: fd.Fd);
        }
    }
}
