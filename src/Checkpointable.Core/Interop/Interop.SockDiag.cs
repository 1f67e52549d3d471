using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Checkpointable.Interop;

/// <summary>
/// NETLINK_SOCK_DIAG request and reply structs with their kernel names, laid out exactly as in
/// linux/sock_diag.h, linux/inet_diag.h, linux/unix_diag.h, linux/netlink_diag.h and linux/packet_diag.h.
/// Fields are host byte order unless the header says __be (ports and addresses of inet_diag_sockid).
/// All are blittable: they are read with MemoryMarshal.Read after a length check, never through pointers.
/// </summary>
internal static partial class Netlink
{
    internal const byte IPPROTO_TCP = 6;
    internal const byte IPPROTO_UDP = 17;
    internal const byte IPPROTO_UDPLITE = 136;
    internal const byte IPPROTO_RAW = 255;

    /// <summary>linux/inet_diag.h request attribute: the protocol as a u32 (needed for protocols above 255, sent for raw as ss does).</summary>
    internal const ushort INET_DIAG_REQ_PROTOCOL = 3;

    internal const uint UDIAG_SHOW_NAME = 0x01;
    internal const uint UDIAG_SHOW_VFS = 0x02;
    internal const uint UDIAG_SHOW_PEER = 0x04;
    internal const uint UDIAG_SHOW_ICONS = 0x08;
    internal const uint UDIAG_SHOW_RQLEN = 0x10;

    // linux/unix_diag.h reply attributes.
    internal const ushort UNIX_DIAG_NAME = 0;
    internal const ushort UNIX_DIAG_VFS = 1;
    internal const ushort UNIX_DIAG_PEER = 2;
    internal const ushort UNIX_DIAG_ICONS = 3;
    internal const ushort UNIX_DIAG_RQLEN = 4;
    internal const ushort UNIX_DIAG_MEMINFO = 5;
    internal const ushort UNIX_DIAG_SHUTDOWN = 6;

    /// <summary>linux/netlink_diag.h: sdiag_protocol value that dumps every netlink protocol.</summary>
    internal const byte NDIAG_PROTO_ALL = 0xff;
    internal const uint NDIAG_SHOW_MEMINFO = 0x01;
    internal const uint NDIAG_SHOW_GROUPS = 0x02;
    internal const ushort NETLINK_DIAG_MEMINFO = 0;
    internal const ushort NETLINK_DIAG_GROUPS = 1;

    internal const uint PACKET_SHOW_INFO = 0x01;
    internal const uint PACKET_SHOW_MCLIST = 0x02;
    internal const ushort PACKET_DIAG_INFO = 0;
    internal const ushort PACKET_DIAG_MCLIST = 1;

    /// <summary>linux/sock_diag.h: index of sk_rmem_alloc in the u32 array of a *_DIAG_MEMINFO attribute.</summary>
    internal const int SK_MEMINFO_RMEM_ALLOC = 0;

    /// <summary>__u32[2], e.g. a socket cookie.</summary>
    [InlineArray(2)]
    internal struct U32x2
    {
        private uint _element0;
    }

    /// <summary>__be32[4]: an IPv4 (first word) or IPv6 address, network byte order.</summary>
    [InlineArray(4)]
    internal struct U32x4
    {
        private uint _element0;
    }

    /// <summary>struct inet_diag_sockid (linux/inet_diag.h), 48 bytes. Ports and addresses are big-endian.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct inet_diag_sockid
    {
        public ushort idiag_sport;
        public ushort idiag_dport;
        public U32x4 idiag_src;
        public U32x4 idiag_dst;
        public uint idiag_if;
        public U32x2 idiag_cookie;
    }

    /// <summary>struct inet_diag_req_v2 (linux/inet_diag.h), 56 bytes. For raw sockets pad is sdiag_raw_protocol.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct inet_diag_req_v2
    {
        public byte sdiag_family;
        public byte sdiag_protocol;
        public byte idiag_ext;
        public byte pad;
        public uint idiag_states;
        public inet_diag_sockid id;
    }

    /// <summary>struct inet_diag_msg (linux/inet_diag.h), 72 bytes, followed by INET_DIAG_* attributes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct inet_diag_msg
    {
        public byte idiag_family;
        public byte idiag_state;
        public byte idiag_timer;
        public byte idiag_retrans;
        public inet_diag_sockid id;
        public uint idiag_expires;
        public uint idiag_rqueue;
        public uint idiag_wqueue;
        public uint idiag_uid;
        public uint idiag_inode;
    }

    /// <summary>struct unix_diag_req (linux/unix_diag.h), 24 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct unix_diag_req
    {
        public byte sdiag_family;
        public byte sdiag_protocol;
        public ushort pad;
        public uint udiag_states;
        public uint udiag_ino;
        public uint udiag_show;
        public U32x2 udiag_cookie;
    }

    /// <summary>struct unix_diag_msg (linux/unix_diag.h), 16 bytes, followed by UNIX_DIAG_* attributes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct unix_diag_msg
    {
        public byte udiag_family;
        public byte udiag_type;
        public byte udiag_state;
        public byte pad;
        public uint udiag_ino;
        public U32x2 udiag_cookie;
    }

    /// <summary>struct unix_diag_vfs (linux/unix_diag.h): note the inode comes first.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct unix_diag_vfs
    {
        public uint udiag_vfs_ino;
        public uint udiag_vfs_dev;
    }

    /// <summary>struct unix_diag_rqlen (linux/unix_diag.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct unix_diag_rqlen
    {
        public uint udiag_rqueue;
        public uint udiag_wqueue;
    }

    /// <summary>struct netlink_diag_req (linux/netlink_diag.h), 20 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct netlink_diag_req
    {
        public byte sdiag_family;
        public byte sdiag_protocol;
        public ushort pad;
        public uint ndiag_ino;
        public uint ndiag_show;
        public U32x2 ndiag_cookie;
    }

    /// <summary>struct netlink_diag_msg (linux/netlink_diag.h), 28 bytes, followed by NETLINK_DIAG_* attributes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct netlink_diag_msg
    {
        public byte ndiag_family;
        public byte ndiag_type;
        public byte ndiag_protocol;
        public byte ndiag_state;
        public uint ndiag_portid;
        public uint ndiag_dst_portid;
        public uint ndiag_dst_group;
        public uint ndiag_ino;
        public U32x2 ndiag_cookie;
    }

    /// <summary>struct packet_diag_req (linux/packet_diag.h), 20 bytes. sdiag_protocol must be 0.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct packet_diag_req
    {
        public byte sdiag_family;
        public byte sdiag_protocol;
        public ushort pad;
        public uint pdiag_ino;
        public uint pdiag_show;
        public U32x2 pdiag_cookie;
    }

    /// <summary>struct packet_diag_msg (linux/packet_diag.h), 16 bytes. pdiag_num is the protocol, already host order (net/packet/diag.c ntohs it).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct packet_diag_msg
    {
        public byte pdiag_family;
        public byte pdiag_type;
        public ushort pdiag_num;
        public uint pdiag_ino;
        public U32x2 pdiag_cookie;
    }

    /// <summary>struct packet_diag_mclist (linux/packet_diag.h), 44 bytes; PACKET_DIAG_MCLIST is an array of these.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct packet_diag_mclist
    {
        public uint pdmc_index;
        public uint pdmc_count;
        public ushort pdmc_type;
        public ushort pdmc_alen;
        public MacAddress32 pdmc_addr;
    }

    /// <summary>__u8[MAX_ADDR_LEN] (32) of packet_diag_mclist.</summary>
    [InlineArray(32)]
    internal struct MacAddress32
    {
        private byte _element0;
    }
}

#pragma warning disable CS8981 // kernel struct names, as above

internal static partial class Netlink
{
    internal const ushort RTM_NEWLINK = 16;
    internal const ushort IFLA_IFNAME = 3;
    internal const ushort IFLA_LINKINFO = 18;
    internal const ushort IFLA_INFO_KIND = 1;

    /// <summary>struct ifinfomsg (linux/rtnetlink.h), 16 bytes, followed by IFLA_* attributes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ifinfomsg
    {
        public byte ifi_family;
        public byte __ifi_pad;
        public ushort ifi_type;
        public int ifi_index;
        public uint ifi_flags;
        public uint ifi_change;
    }
}
