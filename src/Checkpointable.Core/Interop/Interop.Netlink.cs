using System.Runtime.InteropServices;

#pragma warning disable CS8981 // The structs keep their kernel names (nlmsghdr, rtattr, …), all lower case.

namespace Checkpointable.Interop;

/// <summary>
/// The netlink socket that NETLINK_SOCK_DIAG is spoken over, its framing (linux/netlink.h) and setns(2).
/// Raw imports are private; the wrappers loop on EINTR and return errno as data (0 = success), like
/// <see cref="Libc"/>. File descriptors never leave this class except inside a <see cref="SafeFd"/>.
/// </summary>
internal static unsafe partial class Netlink
{
    internal const int AF_UNIX = 1;
    internal const int AF_INET = 2;
    internal const int AF_INET6 = 10;
    internal const int AF_NETLINK = 16;
    internal const int AF_PACKET = 17;

    internal const int SOCK_STREAM = 1;
    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_RAW = 3;
    internal const int SOCK_CLOEXEC = 0x80000;

    /// <summary>linux/netlink.h protocol numbers.</summary>
    internal const int NETLINK_ROUTE = 0;
    internal const int NETLINK_SOCK_DIAG = 4;

    /// <summary>linux/sock_diag.h: the one request type of NETLINK_SOCK_DIAG (replies carry it too).</summary>
    internal const ushort SOCK_DIAG_BY_FAMILY = 20;

    // linux/netlink.h control message types; 0x10 and above belong to the protocol.
    internal const ushort NLMSG_NOOP = 1;
    internal const ushort NLMSG_ERROR = 2;
    internal const ushort NLMSG_DONE = 3;
    internal const ushort NLMSG_OVERRUN = 4;

    internal const ushort NLM_F_REQUEST = 0x1;
    internal const ushort NLM_F_MULTI = 0x2;
    internal const ushort NLM_F_ACK = 0x4;

    /// <summary>Set on dump messages when the kernel's table changed while it was being walked.</summary>
    internal const ushort NLM_F_DUMP_INTR = 0x10;
    internal const ushort NLM_F_ROOT = 0x100;
    internal const ushort NLM_F_MATCH = 0x200;
    internal const ushort NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;

    /// <summary>NLMSG_ALIGNTO and NLA_ALIGNTO: messages and attributes start on 4-byte boundaries.</summary>
    internal const int NLMSG_ALIGNTO = 4;

    /// <summary>nla_type bits that are flags, not part of the attribute id (NLA_F_NESTED, NLA_F_NET_BYTEORDER).</summary>
    internal const ushort NLA_TYPE_MASK = 0x3fff;

    internal const int SOL_SOCKET = 1;
    internal const int SO_RCVTIMEO = 20; // SO_RCVTIMEO_OLD: struct timeval of C longs (asm-generic/socket.h)
    internal const int SOL_NETLINK = 270;
    internal const int NETLINK_ADD_MEMBERSHIP = 1;
    internal const int RTM_GETLINK = 18; // linux/rtnetlink.h
    internal const uint RTMGRP_LINK = 1;

    internal const int MSG_PEEK = 0x2;
    internal const int MSG_TRUNC = 0x20;

    /// <summary>linux/sched.h: the nstype argument of setns(2) for a network namespace.</summary>
    internal const int CLONE_NEWNET = 0x40000000;

    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int EINVAL = 22;
    internal const int EMSGSIZE = 90;
    internal const int ESTALE = 116;

    private const int O_RDONLY = 0;
    private const int O_CLOEXEC = 0x80000;
    private const int AT_FDCWD = -100;
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_INO = 0x100;

    /// <summary>Offset of stx_ino in struct statx (linux/stat.h); the struct is 256 bytes on every architecture.</summary>
    private const int StatxInoOffset = 32;
    private const int StatxSize = 256;

    /// <summary>struct nlmsghdr (linux/netlink.h), 16 bytes, host byte order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct nlmsghdr
    {
        public uint nlmsg_len;
        public ushort nlmsg_type;
        public ushort nlmsg_flags;
        public uint nlmsg_seq;
        public uint nlmsg_pid;
    }

    /// <summary>struct nlmsgerr (linux/netlink.h): a negative errno (0 = ACK), then the request's header.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct nlmsgerr
    {
        public int error;
        public nlmsghdr msg;
    }

    /// <summary>struct rtattr / struct nlattr (linux/rtnetlink.h, linux/netlink.h): length includes this header.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct rtattr
    {
        public ushort rta_len;
        public ushort rta_type;
    }

    /// <summary>struct sockaddr_nl (linux/netlink.h). nl_pid 0 is the kernel.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct sockaddr_nl
    {
        public ushort nl_family;
        public ushort nl_pad;
        public uint nl_pid;
        public uint nl_groups;
    }

    /// <summary>struct iovec (sys/uio.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct iovec
    {
        public void* iov_base;
        public nuint iov_len;
    }

    /// <summary>struct msghdr (sys/socket.h) as glibc and musl lay it out on 64- and 32-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct msghdr
    {
        public void* msg_name;
        public uint msg_namelen;
        public iovec* msg_iov;
        public nuint msg_iovlen;
        public void* msg_control;
        public nuint msg_controllen;
        public int msg_flags;
    }

    /// <summary>struct timeval for SO_RCVTIMEO_OLD: two C longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct timeval
    {
        public nint tv_sec;
        public nint tv_usec;
    }

    /// <summary>
    /// An owned file descriptor; closes it once. The invalid value is -1 (0 is a valid fd). Imports return a plain int
    /// and the wrapper builds this: a SafeHandle return would be read as a pointer-sized value, and an int -1 then
    /// arrives as 0xFFFFFFFF.
    /// </summary>
    internal sealed class SafeFd : SafeHandle
    {
        internal SafeFd(int fd)
            : base(-1, ownsHandle: true)
        {
            SetHandle(fd);
        }

        public override bool IsInvalid => handle == -1;

        /// <summary>The descriptor number, for building /proc/self/fd/N paths (tests, diagnostics).</summary>
        internal int Number => (int)handle;

        protected override bool ReleaseHandle() => close_((int)handle) == 0;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int socket_(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int bind_(SafeFd fd, sockaddr_nl* addr, uint addrlen);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static partial nint sendto_(SafeFd fd, byte* buf, nuint len, int flags, sockaddr_nl* addr, uint addrlen);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint recvmsg_(SafeFd fd, msghdr* msg, int flags);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int setsockopt_(SafeFd fd, int level, int optname, void* optval, uint optlen);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int setns_(SafeFd fd, int nstype);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open_(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx_(int dirfd, string path, int flags, uint mask, byte* buf);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx_(SafeFd dirfd, string path, int flags, uint mask, byte* buf);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int close_(int fd);

    /// <summary>socket(domain, type | SOCK_CLOEXEC, protocol). Returns 0 or errno.</summary>
    internal static int Socket(int domain, int type, int protocol, out SafeFd fd)
    {
        int n = socket_(domain, type | SOCK_CLOEXEC, protocol);
        int errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        fd = new SafeFd(n < 0 ? -1 : n);
        return errno;
    }

    /// <summary>bind(2) a netlink socket with a kernel-chosen port id and the given legacy group mask. Returns 0 or errno.</summary>
    internal static int Bind(SafeFd fd, uint groups)
    {
        var addr = new sockaddr_nl { nl_family = AF_NETLINK, nl_groups = groups };
        return bind_(fd, &addr, (uint)sizeof(sockaddr_nl)) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Sends one request to the kernel (nl_pid 0). Netlink datagrams go whole or not at all. Returns 0 or errno.</summary>
    internal static int SendToKernel(SafeFd fd, ReadOnlySpan<byte> message)
    {
        var kernel = new sockaddr_nl { nl_family = AF_NETLINK };
        fixed (byte* p = message)
        {
            while (true)
            {
                if (sendto_(fd, p, (nuint)message.Length, 0, &kernel, (uint)sizeof(sockaddr_nl)) >= 0)
                {
                    return 0;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                {
                    return errno;
                }
            }
        }
    }

    /// <summary>
    /// recvmsg(2) of one datagram. <paramref name="length"/> is the datagram's full size even when it is larger than
    /// <paramref name="buffer"/> (MSG_TRUNC), so a <paramref name="peek"/> tells how big a buffer the real read needs.
    /// <paramref name="senderPortId"/> is the sender's nl_pid (0 = the kernel). Returns 0 or errno.
    /// </summary>
    internal static int Receive(SafeFd fd, Span<byte> buffer, bool peek, out int length, out uint senderPortId)
    {
        var from = default(sockaddr_nl);
        fixed (byte* p = buffer)
        {
            var iov = new iovec { iov_base = p, iov_len = (nuint)buffer.Length };
            while (true)
            {
                var msg = new msghdr { msg_name = &from, msg_namelen = (uint)sizeof(sockaddr_nl), msg_iov = &iov, msg_iovlen = 1 };
                nint n = recvmsg_(fd, &msg, MSG_TRUNC | (peek ? MSG_PEEK : 0));
                if (n >= 0)
                {
                    length = n > int.MaxValue ? int.MaxValue : (int)n;
                    senderPortId = from.nl_pid;
                    return 0;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                {
                    length = 0;
                    senderPortId = 0;
                    return errno;
                }
            }
        }
    }

    /// <summary>SO_RCVTIMEO: a blocking receive gives up with EAGAIN after this long instead of hanging. Returns 0 or errno.</summary>
    internal static int SetReceiveTimeout(SafeFd fd, TimeSpan timeout)
    {
        var tv = new timeval { tv_sec = (nint)(long)timeout.TotalSeconds, tv_usec = timeout.Milliseconds * 1000 };
        return setsockopt_(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, (uint)sizeof(timeval)) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>setsockopt(2) with an option value given as bytes. Returns 0 or errno.</summary>
    internal static int SetSocketOption(SafeFd fd, int level, int name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            return setsockopt_(fd, level, name, p, (uint)value.Length) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>setsockopt(2) with an int option value. Returns 0 or errno.</summary>
    internal static int SetSocketOption(SafeFd fd, int level, int name, int value) =>
        setsockopt_(fd, level, name, &value, sizeof(int)) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>open(path, O_RDONLY | O_CLOEXEC), e.g. a namespace file /proc/P/ns/net. Returns 0 or errno.</summary>
    internal static int Open(string path, out SafeFd fd)
    {
        int n = open_(path, O_RDONLY | O_CLOEXEC);
        int errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        fd = new SafeFd(n < 0 ? -1 : n);
        return errno;
    }

    /// <summary>setns(fd, CLONE_NEWNET): moves the calling thread (only) into that network namespace. Returns 0 or errno.</summary>
    internal static int SetNetworkNamespace(SafeFd namespaceFd) =>
        setns_(namespaceFd, CLONE_NEWNET) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>The inode number of an open file (for a namespace fd: the N of net:[N]). Returns 0 or errno.</summary>
    internal static int InodeOf(SafeFd fd, out ulong inode)
    {
        byte* buf = stackalloc byte[StatxSize];
        if (statx_(fd, string.Empty, AT_EMPTY_PATH, STATX_INO, buf) != 0)
        {
            inode = 0;
            return Marshal.GetLastPInvokeError();
        }

        inode = *(ulong*)(buf + StatxInoOffset);
        return 0;
    }

    /// <summary>The inode number of the file a path names, following links. Returns 0 or errno.</summary>
    internal static int InodeOf(string path, out ulong inode)
    {
        byte* buf = stackalloc byte[StatxSize];
        if (statx_(AT_FDCWD, path, 0, STATX_INO, buf) != 0)
        {
            inode = 0;
            return Marshal.GetLastPInvokeError();
        }

        inode = *(ulong*)(buf + StatxInoOffset);
        return 0;
    }
}
