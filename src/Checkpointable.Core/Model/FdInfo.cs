namespace Checkpointable.Model;

/// <summary>A <c>tfd:</c> line of an epoll fdinfo: the target fd number and the identity of its file.</summary>
public readonly record struct EpollTarget(int Fd, ulong Inode, DeviceId Device);

/// <summary>An <c>inotify wd:</c> line: the watched inode.</summary>
public readonly record struct InotifyWatch(ulong Inode, DeviceId Device);

/// <summary>/proc/P/fdinfo/N, parsed. <see cref="Text"/> keeps the kernel's own lines for the seed's fdinfo view.</summary>
public sealed record FdInfo(
    string Text,
    long Position,
    uint Flags,
    int MountId,
    IReadOnlyList<string> Locks,
    IReadOnlyList<EpollTarget> EpollTargets,
    IReadOnlyList<InotifyWatch> InotifyWatches,
    bool HasFanotifyFilesystemMark,
    int? ScmFds,
    int? TtyIndex,
    int? PidfdPid)
{
    /// <summary>O_PATH (octal 010000000).</summary>
    public bool IsPath => (Flags & 0x200000) != 0;

    /// <summary>O_DIRECT (octal 040000 on x86): a packet-mode pipe.</summary>
    public bool IsDirect => (Flags & 0x4000) != 0;

    /// <summary>O_EXCL (octal 0200): PIDFD_THREAD on a pidfd.</summary>
    public bool IsExcl => (Flags & 0x80) != 0;

    public int AccessMode => (int)(Flags & 3);
}
