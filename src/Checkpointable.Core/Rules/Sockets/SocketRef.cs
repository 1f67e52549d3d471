using Checkpointable.Model;

namespace Checkpointable.Rules.Sockets;

/// <summary>A socket fd of a tree process and what sock_diag said about it in the process's network namespace.</summary>
public sealed record SocketRef(ProcessSnapshot Process, FdEntry Fd, SocketTable? Table)
{
    public ulong Inode => Fd.LinkInode;

    public UnixSocket? Unix => Table?.Unix.GetValueOrDefault(Inode);

    public InetSocket? Inet => Table?.Inet.GetValueOrDefault(Inode);

    public NetlinkSocket? Netlink => Table?.Netlink.GetValueOrDefault(Inode);

    public PacketSocket? Packet => Table?.Packet.GetValueOrDefault(Inode);

    public bool Found => Unix is not null || Inet is not null || Netlink is not null || Packet is not null;

    /// <summary>Every socket fd of the tree, each socket once (the first holder in tree order).</summary>
    public static IEnumerable<SocketRef> InTree(RuleContext c)
    {
        var seen = new HashSet<ulong>();
        foreach (var p in c.Processes)
        {
            var table = c.Snapshot.SocketsOf(p);
            foreach (var fd in p.Fds)
            {
                if (fd.Kind == FdKind.Socket && fd.LinkInode != 0 && seen.Add(fd.LinkInode))
                {
                    yield return new SocketRef(p, fd, table);
                }
            }
        }
    }

    public string Resource => RuleContext.Fd(Fd.Fd);
}
