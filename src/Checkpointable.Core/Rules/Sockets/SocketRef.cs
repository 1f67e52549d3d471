using Checkpointable.Model;

namespace Checkpointable.Rules.Sockets;

/// <summary>A socket fd of a tree process and what sock_diag said about it in the process's network namespace.</summary>
/// <remarks>The table lookups are made once, when the reference is built.</remarks>
public sealed record SocketRef(ProcessSnapshot Process, FdEntry Fd, SocketTable? Table)
{
    public ulong Inode => Fd.LinkInode;

    public UnixSocket? Unix { get; } = Table?.Unix.GetValueOrDefault(Fd.LinkInode);

    public InetSocket? Inet { get; } = Table?.Inet.GetValueOrDefault(Fd.LinkInode);

    public NetlinkSocket? Netlink { get; } = Table?.Netlink.GetValueOrDefault(Fd.LinkInode);

    public PacketSocket? Packet { get; } = Table?.Packet.GetValueOrDefault(Fd.LinkInode);

    public bool Found => Unix is not null || Inet is not null || Netlink is not null || Packet is not null;

    /// <summary>Every socket fd of the tree, each socket once (the first holder in tree order); built once per tree.</summary>
    public static IReadOnlyList<SocketRef> InTree(RuleContext c) => c.Sockets;

    internal static List<SocketRef> Collect(IEnumerable<ProcessSnapshot> processes, Snapshot snapshot)
    {
        var seen = new HashSet<ulong>();
        var list = new List<SocketRef>();
        foreach (var p in processes)
        {
            var table = snapshot.SocketsOf(p);
            foreach (var fd in p.Fds)
            {
                if (fd.Kind == FdKind.Socket && fd.LinkInode != 0 && seen.Add(fd.LinkInode))
                {
                    list.Add(new SocketRef(p, fd, table));
                }
            }
        }

        return list;
    }

    public string Resource => RuleContext.Fd(Fd.Fd);
}
