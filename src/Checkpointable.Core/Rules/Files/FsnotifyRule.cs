using Checkpointable.Model;

namespace Checkpointable.Rules.Files;

/// <summary>
/// FN2 (fsnotify.c:263): an inotify watch on a tmpfs/devtmpfs inode that has no name any more cannot be
/// re-opened by handle; FN6: fanotify filesystem marks are silently dropped.
/// </summary>
public sealed class FsnotifyRule : IRule
{
    public string Name => nameof(FsnotifyRule);

    public void Evaluate(RuleContext c)
    {
        var mounts = c.TreeMounts;
        foreach (var p in c.Processes)
        {
            foreach (var fd in p.Fds.Where(f => f.Info is not null))
            {
                if (fd.Info!.HasFanotifyFilesystemMark)
                {
                    c.Report("FN6", Subsystem.Files, p, RuleContext.Fd(fd.Fd), "fanotify filesystem mark: criu drops it without a word",
                        fd: fd.Fd, severity: Severity.Lossy);
                }

                foreach (var w in fd.Info.InotifyWatches)
                {
                    string? fsType = mounts?.Entries.FirstOrDefault(m => m.Device == w.Device)?.FsType;
                    bool tmpfs = fsType is "tmpfs" or "devtmpfs";
                    bool deleted = p.Fds.Any(f => f.Stat is { } st && st.Inode == w.Inode && st.Device == w.Device && (f.PathDeleted || st.Links == 0));
                    if (tmpfs && deleted)
                    {
                        c.Report("FN2", Subsystem.Files, p, RuleContext.Fd(fd.Fd),
                            $"inotify watch on a deleted {fsType} inode {w.Inode}: criu cannot find a path for it",
                            "Can't find suitable path for handle (dev %#x ino %#lx): %d (criu/fsnotify.c:263)", fd: fd.Fd, certainty: Certainty.Likely);
                    }
                }
            }
        }
    }
}
