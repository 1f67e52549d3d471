namespace Checkpointable.Model;

/// <summary>
/// Which devpts instance (the st_dev of its superblock) a pty belongs to. Every instance numbers its ptys from 0
/// (a container's <c>newinstance</c> devpts has its own pts/0), so the rdev 136:N alone does not name one pty;
/// criu never confuses them because it asks the fd itself (TIOCGSID in the dumped task, criu/pie/parasite.c:762).
/// </summary>
public static class DevptsInstance
{
    private const string DevptsType = "devpts";
    private const string PtsName = "pts";

    /// <summary>
    /// The instance of a pty fd, or null when it cannot be known. A slave is an inode of its devpts, so st_dev is
    /// the instance. A ptmx fd opened through devpts's own ptmx (or a bind mount of it) is on that devpts too. One
    /// opened through a ptmx node elsewhere (devtmpfs /dev/ptmx) got the devpts mounted on "pts" beside the node,
    /// the topmost one stacked there, on the same mount (kernel drivers/tty/pty.c ptmx_open -> devpts_acquire,
    /// fs/devpts/inode.c devpts_ptmx_path -> fs/namei.c path_pts, follow_down), found here in the holder's
    /// mountinfo under the fd's mnt_id. That is the mount table now, not at open(); a later mount on "pts"
    /// would mislead it.
    /// </summary>
    public static DeviceId? OfFd(FdEntry fd, MountTable? holderMounts)
    {
        if (fd.Stat is not { IsCharDevice: true } st)
        {
            return null;
        }

        if (TtyDevice.IsPtySlave(st.RDevice))
        {
            return st.Device;
        }

        if (st.RDevice != TtyDevice.Ptmx || fd.Info is not { MountId: >= 0 } info || holderMounts?.Find(info.MountId) is not { } mount)
        {
            return null;
        }

        if (mount.FsType == DevptsType)
        {
            return st.Device;
        }

        string path = fd.PathWithoutDeleted;
        int slash = path.LastIndexOf('/');
        if (slash < 0)
        {
            return null;
        }

        string pts = path[..(slash + 1)] + PtsName;
        MountEntry? top = null;
        for (int parent = mount.MountId; holderMounts.ChildrenOf(parent).LastOrDefault(m => m.MountPoint == pts) is { } next; parent = next.MountId)
        {
            top = next;
        }

        return top is { FsType: DevptsType } ? top.Device : null;
    }

    /// <summary>
    /// The instance of a process's controlling tty as far as its own fds tell: /proc/P/stat gives only the rdev,
    /// but a session's terminal is usually also its stdin and stdout, whose st_dev names the instance. Null when it
    /// holds no slave with that rdev, or slaves of more than one instance.
    /// </summary>
    public static DeviceId? OfControllingTty(DeviceId ctty, IEnumerable<FdEntry> fds)
    {
        if (!TtyDevice.IsPtySlave(ctty))
        {
            return null;
        }

        DeviceId? found = null;
        foreach (var fd in fds)
        {
            if (fd.Stat is { IsCharDevice: true } st && st.RDevice == ctty)
            {
                if (found is { } other && other != st.Device)
                {
                    return null;
                }

                found = st.Device;
            }
        }

        return found;
    }
}
