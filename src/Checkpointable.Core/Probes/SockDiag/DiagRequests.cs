using System.Runtime.InteropServices;
using Checkpointable.Interop;

namespace Checkpointable.Probes.SockDiag;

/// <summary>
/// The dump requests we send, one per (family, protocol), asking for every state and exactly the attributes that
/// <see cref="Model.SocketTable"/> records (the same set CRIU's collect_sockets asks for).
/// </summary>
internal static class DiagRequests
{
    /// <summary>Every state bit: for TCP this includes TCPF_BOUND_INACTIVE (Linux 6.8+), so bound-but-idle sockets are listed too.</summary>
    internal const uint AllStates = uint.MaxValue;

    /// <summary>linux/unix_diag.h: name, VFS inode, peer, pending connections and queue lengths; UNIX_DIAG_SHUTDOWN comes unasked.</summary>
    internal static Netlink.unix_diag_req Unix() => new()
    {
        sdiag_family = Netlink.AF_UNIX,
        udiag_states = AllStates,
        udiag_show = Netlink.UDIAG_SHOW_NAME | Netlink.UDIAG_SHOW_VFS | Netlink.UDIAG_SHOW_PEER | Netlink.UDIAG_SHOW_ICONS | Netlink.UDIAG_SHOW_RQLEN,
    };

    /// <summary>
    /// One unix socket by inode (net/unix/diag.c unix_diag_get_exact); the cookie is INET_DIAG_NOCOOKIE, which
    /// sock_diag_check_cookie accepts for any socket.
    /// </summary>
    internal static Netlink.unix_diag_req UnixByInode(uint inode)
    {
        var request = Unix();
        request.udiag_ino = inode;
        request.udiag_cookie[0] = uint.MaxValue;
        request.udiag_cookie[1] = uint.MaxValue;
        return request;
    }

    /// <summary>linux/inet_diag.h inet_diag_req_v2 for one address family and protocol; no extensions (idiag_ext = 0).</summary>
    internal static Netlink.inet_diag_req_v2 Inet(byte addressFamily, byte protocol) => new()
    {
        sdiag_family = addressFamily,
        sdiag_protocol = protocol,
        idiag_states = AllStates,
    };

    /// <summary>
    /// The INET_DIAG_REQ_PROTOCOL attribute (u32) naming <paramref name="protocol"/>: struct rtattr then the value, in
    /// <paramref name="destination"/> (8 bytes). Raw dumps send it with IPPROTO_RAW as ss does.
    /// </summary>
    internal static ReadOnlySpan<byte> ProtocolAttribute(uint protocol, Span<byte> destination)
    {
        var attribute = new Netlink.rtattr { rta_len = 8, rta_type = Netlink.INET_DIAG_REQ_PROTOCOL };
        MemoryMarshal.Write(destination, in attribute);
        MemoryMarshal.Write(destination[4..], in protocol);
        return destination[..8];
    }

    /// <summary>linux/netlink_diag.h: every protocol, with the group bitmap and memory counters.</summary>
    internal static Netlink.netlink_diag_req NetlinkSockets() => new()
    {
        sdiag_family = Netlink.AF_NETLINK,
        sdiag_protocol = Netlink.NDIAG_PROTO_ALL,
        ndiag_show = Netlink.NDIAG_SHOW_GROUPS | Netlink.NDIAG_SHOW_MEMINFO,
    };

    /// <summary>linux/packet_diag.h: basic info and multicast memberships; sdiag_protocol must be 0.</summary>
    internal static Netlink.packet_diag_req Packet() => new()
    {
        sdiag_family = Netlink.AF_PACKET,
        pdiag_show = Netlink.PACKET_SHOW_INFO | Netlink.PACKET_SHOW_MCLIST,
    };
}
