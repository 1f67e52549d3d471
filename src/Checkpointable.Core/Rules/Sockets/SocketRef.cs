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

    /// <summary>
    /// criu collects the sockets of every network namespace of the tree into one table and looks each fd's
    /// socket up by inode in it (sockets.c:429-453 lookup_socket_ino), so a socket of another namespace of the
    /// tree than its holder's is found there (S-NSANY). The reference then carries the table that has it, or,
    /// when none has, its holder's.
    /// </summary>
    internal static List<SocketRef> Collect(IReadOnlyList<ProcessSnapshot> processes, Snapshot snapshot)
    {
        var seen = new HashSet<ulong>();
        var list = new List<SocketRef>();
        var treeTables = TreeTables(processes, snapshot);
        foreach (var p in processes)
        {
            var table = snapshot.SocketsOf(p);
            foreach (var fd in p.Fds)
            {
                if (fd.Kind == FdKind.Socket && fd.LinkInode != 0 && seen.Add(fd.LinkInode))
                {
                    var found = table is not null && Has(table, fd.LinkInode) ? table : treeTables.FirstOrDefault(t => Has(t, fd.LinkInode));
                    list.Add(new SocketRef(p, fd, found ?? table));
                }
            }
        }

        return list;
    }

    /// <summary>The socket tables of the network namespaces the tree's processes are in (those criu collects).</summary>
    internal static List<SocketTable> TreeTables(IEnumerable<ProcessSnapshot> processes, Snapshot snapshot) =>
        processes.Select(snapshot.SocketsOf).OfType<SocketTable>().Distinct().ToList();

    private static bool Has(SocketTable t, ulong inode) =>
        t.Unix.ContainsKey(inode) || t.Inet.ContainsKey(inode) || t.Netlink.ContainsKey(inode) || t.Packet.ContainsKey(inode);

    public string Resource => RuleContext.Fd(Fd.Fd);
}
