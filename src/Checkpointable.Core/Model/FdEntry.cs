namespace Checkpointable.Model;

/// <summary>One open descriptor of a process: its link text, the file's stat and its fdinfo.</summary>
/// <param name="SocketProtocol">getxattr system.sockprotoname, read only for sockets that sock_diag did not find.</param>
/// <param name="Error">Why some of it could not be read (the fd closed meanwhile, or access was denied).</param>
public sealed record FdEntry(
    int Fd,
    string Link,
    FileStat? Stat,
    FdInfo? Info,
    FdKind Kind,
    string? SocketProtocol,
    ProbeError? Error)
{
    private const string Deleted = " (deleted)";

    /// <summary>
    /// The link's path resolved from the root criu would use when the dump takes the root's mount namespace: the
    /// root of the namespace the file's mount belongs to (files-reg.c:1397 mntns_get_root_fd(mi->nsid)), opened
    /// through the first tree process in it (mount.c:3927; the collector sets this once it knows the mounts and
    /// the tree), else, for a file of no dumped namespace, the holder's own root: the checker's "/" for a
    /// process in the checker's namespace (even a chroot'ed one: criu opens "/", mount.c:3844-3858), else its
    /// /proc/P/root. Null where not checked.
    /// </summary>
    public PathResolution? Path { get; init; }

    /// <summary>
    /// For a process in a mount namespace other than the checker's: the path resolved from the checker's "/",
    /// which is where criu resolves every path when the tree's root shares criu's namespace (mount.c:3844).
    /// </summary>
    public PathResolution? PathFromCheckerRoot { get; init; }

    /// <summary>
    /// For an epoll fd: the watched fd numbers whose file is no longer open in this process, checked exactly
    /// with kcmp(KCMP_EPOLL_TFD) as criu does (eventpoll.c); null where not checked (the rule then uses a proxy).
    /// </summary>
    public IReadOnlyList<int>? EscapedEpollTargets { get; init; }

    /// <summary>Options read from a duplicate of a socket fd, where a rule needed them (tree mode).</summary>
    public SocketOptions? SocketOptions { get; init; }

    /// <summary>The number in <c>socket:[N]</c>, <c>pipe:[N]</c>, <c>net:[N]</c>, or 0 (parsed once: rules ask often).</summary>
    public ulong LinkInode { get; } = ParseBracketInode(Link);

    /// <summary>True when the kernel marked the path as unlinked.</summary>
    public bool PathDeleted => Link.EndsWith(Deleted, StringComparison.Ordinal);

    /// <summary>The path without the kernel's " (deleted)" suffix.</summary>
    public string PathWithoutDeleted => PathDeleted ? Link[..^Deleted.Length] : Link;

    public static ulong ParseBracketInode(string link)
    {
        int open = link.IndexOf(":[", StringComparison.Ordinal);
        if (open < 0 || !link.EndsWith(']'))
        {
            return 0;
        }

        return ulong.TryParse(link.AsSpan(open + 2, link.Length - open - 3), out var ino) ? ino : 0;
    }

    /// <summary>CRIU's classification order (files.c:498): socket, chr, anon inode, reg/dir/lnk, fifo, other.</summary>
    public static FdKind Classify(string link, FileStat? stat, DeviceId? shmemDevice)
    {
        if (stat is not { } st)
        {
            if (link.StartsWith("socket:[", StringComparison.Ordinal))
            {
                return FdKind.Socket;
            }

            if (link.StartsWith("pipe:[", StringComparison.Ordinal))
            {
                return FdKind.Pipe;
            }

            if (link.StartsWith("anon_inode:", StringComparison.Ordinal))
            {
                return FdKind.AnonInode;
            }

            // nsfs: "net:[4026531840]", "mnt:[…]", "pid_for_children:[…]" (fs/nsfs.c ns_dname).
            return !link.StartsWith('/') && ParseBracketInode(link) != 0 ? FdKind.Namespace : FdKind.Unknown;
        }

        if (st.IsSocket)
        {
            return FdKind.Socket;
        }

        if (st.IsCharDevice)
        {
            return FdKind.CharDevice;
        }

        if (link.StartsWith("anon_inode:", StringComparison.Ordinal))
        {
            return FdKind.AnonInode;
        }

        if (st.IsRegular || st.IsDirectory || st.IsSymlink)
        {
            if (shmemDevice is { } shm && st.Device == shm)
            {
                return FdKind.Memfd;
            }

            if (link.StartsWith('/'))
            {
                return st.IsDirectory ? FdKind.Directory : st.IsSymlink ? FdKind.Symlink : FdKind.RegularFile;
            }

            return ParseBracketInode(link) != 0 ? FdKind.Namespace : FdKind.Unknown;
        }

        if (st.IsFifo)
        {
            return link.StartsWith("pipe:[", StringComparison.Ordinal) ? FdKind.Pipe : FdKind.Fifo;
        }

        return st.IsBlockDevice ? FdKind.BlockDevice : FdKind.Unknown;
    }
}
