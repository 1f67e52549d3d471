namespace Checkpointable.Model;

/// <summary>Unix socket types as the kernel numbers them (SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_SEQPACKET = 5).</summary>
public enum SocketType : byte
{
    Stream = 1,
    Datagram = 2,
    Raw = 3,
    SeqPacket = 5,
}

/// <summary>One AF_UNIX socket as NETLINK_SOCK_DIAG reports it (unix_diag_msg + UNIX_DIAG_* attributes).</summary>
/// <param name="Inode">udiag_ino: the number in the fd link <c>socket:[N]</c>.</param>
/// <param name="State">udiag_state: 1 ESTABLISHED, 7 CLOSE, 10 LISTEN.</param>
/// <param name="Name">UNIX_DIAG_NAME: a path, or an abstract name written with a leading '@'; null when unbound.</param>
/// <param name="Peer">UNIX_DIAG_PEER: the peer's inode, 0 when there is none.</param>
/// <param name="Icons">UNIX_DIAG_ICONS: inodes of connections not yet accepted (listeners only); 0 means a closed one.</param>
/// <param name="ReceiveQueue">UNIX_DIAG_RQLEN rqueue (for a listener: pending connections).</param>
/// <param name="SendQueue">UNIX_DIAG_RQLEN wqueue.</param>
/// <param name="Shutdown">UNIX_DIAG_SHUTDOWN (bit 1 receive, bit 2 send).</param>
/// <param name="VfsDevice">UNIX_DIAG_VFS udiag_vfs_dev of a path-bound socket, else 0.</param>
/// <param name="VfsInode">UNIX_DIAG_VFS udiag_vfs_ino of a path-bound socket, else 0.</param>
public sealed record UnixSocket(
    ulong Inode,
    SocketType Type,
    byte State,
    string? Name,
    ulong Peer,
    IReadOnlyList<ulong> Icons,
    uint ReceiveQueue,
    uint SendQueue,
    byte Shutdown,
    uint VfsDevice,
    ulong VfsInode);

/// <summary>IP protocols we ask inet_diag about.</summary>
public enum IpProtocol : byte
{
    Icmp = 1,
    Tcp = 6,
    Udp = 17,
    IcmpV6 = 58,
    UdpLite = 136,
    Raw = 255,
}

/// <summary>One AF_INET/AF_INET6 socket from inet_diag (inet_diag_msg).</summary>
/// <param name="Family">2 (AF_INET) or 10 (AF_INET6).</param>
/// <param name="Protocol">The protocol of the dump that returned it (TCP, UDP, UDP-Lite, raw).</param>
/// <param name="State">idiag_state (TCP numbering: 1 ESTABLISHED … 10 LISTEN, 11 CLOSING, 12 NEW_SYN_RECV).</param>
/// <param name="ReceiveQueue">idiag_rqueue (for a listener: the accept-queue length).</param>
/// <param name="SendQueue">idiag_wqueue.</param>
/// <param name="InterfaceIndex">id.idiag_if.</param>
public sealed record InetSocket(
    ulong Inode,
    byte Family,
    IpProtocol Protocol,
    byte State,
    string LocalAddress,
    ushort LocalPort,
    string RemoteAddress,
    ushort RemotePort,
    uint ReceiveQueue,
    uint SendQueue,
    uint InterfaceIndex)
{
    public bool IsV6 => Family == 10;

    /// <summary>Text like <c>127.0.0.1:8080</c> or <c>[::1]:8080</c>.</summary>
    public string Local => Endpoint(LocalAddress, LocalPort);

    public string Remote => Endpoint(RemoteAddress, RemotePort);

    private string Endpoint(string address, ushort port) => IsV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}

/// <summary>One AF_NETLINK socket from netlink_diag (netlink_diag_msg + NETLINK_DIAG_GROUPS/MEMINFO).</summary>
/// <param name="Groups">Multicast group bitmap, 32 groups per word, group 1 = bit 0 of word 0.</param>
/// <param name="ReceiveMemory">SK_MEMINFO_RMEM_ALLOC: bytes of unread data queued.</param>
public sealed record NetlinkSocket(
    ulong Inode,
    byte Protocol,
    uint PortId,
    IReadOnlyList<uint> Groups,
    uint ReceiveMemory);

/// <summary>One AF_PACKET socket from packet_diag.</summary>
/// <param name="MulticastMemberships">PACKET_DIAG_MCLIST entries: (ifindex, count) per membership.</param>
public sealed record PacketSocket(
    ulong Inode,
    SocketType Type,
    ushort Protocol,
    IReadOnlyList<(int InterfaceIndex, uint Count)> MulticastMemberships);

/// <summary>Socket families sock_diag is asked about, one dump each.</summary>
public enum DiagFamily
{
    Unix,
    Tcp,
    Udp,
    UdpLite,
    Raw,
    Netlink,
    Packet,
}

/// <summary>
/// Every socket of one network namespace, keyed by inode, plus what could not be collected.
/// A family listed in <see cref="Failed"/> was not collected (module missing, permission, …):
/// rules must answer "unknown" for sockets of it, never "not found".
/// </summary>
public sealed class SocketTable
{
    public required ulong NetNamespace { get; init; }

    public Dictionary<ulong, UnixSocket> Unix { get; } = [];

    public Dictionary<ulong, InetSocket> Inet { get; } = [];

    public Dictionary<ulong, NetlinkSocket> Netlink { get; } = [];

    public Dictionary<ulong, PacketSocket> Packet { get; } = [];

    /// <summary>Families whose dump failed, with the reason (e.g. "EINVAL: raw diag not supported").</summary>
    public Dictionary<DiagFamily, string> Failed { get; } = [];

    /// <summary>Empty table for a namespace that could not be entered at all.</summary>
    public static SocketTable Unavailable(ulong netns, string reason)
    {
        var table = new SocketTable { NetNamespace = netns };
        foreach (var family in Enum.GetValues<DiagFamily>())
        {
            table.Failed[family] = reason;
        }

        return table;
    }
}
