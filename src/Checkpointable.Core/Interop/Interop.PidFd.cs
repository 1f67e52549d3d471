using System.Runtime.InteropServices;

namespace Checkpointable.Interop;

/// <summary>
/// pidfd_open/pidfd_getfd and getsockopt: read a socket option criu checks but /proc does not show
/// (UDP_CORK, SO_PASSCRED, the peer of a closed TCP socket) from a duplicate of the target's fd.
/// pidfd_getfd only takes a reference to the open file (like SCM_RIGHTS): the target is not stopped,
/// traced or signalled, and the duplicate is closed at once.
/// </summary>
internal static unsafe partial class PidFd
{
    private const long SYS_pidfd_open = 434;
    private const long SYS_pidfd_getfd = 438;

    internal const int SOL_SOCKET = 1;
    internal const int SOL_UDP = 17;
    internal const int SO_PASSCRED = 16;
    internal const int SO_PEERNAME = 28;
    internal const int SO_PASSSEC = 34;
    internal const int UDP_CORK = 1;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall_(long number, long a1, long a2, long a3);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int getsockopt_(int fd, int level, int name, byte* value, uint* length);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    private static partial int getsockname_(int fd, byte* address, uint* length);

    [LibraryImport("libc", EntryPoint = "getpeername", SetLastError = true)]
    private static partial int getpeername_(int fd, byte* address, uint* length);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl_(int fd, ulong request, int* value);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int close_(int fd);

    /// <summary>A pidfd for <paramref name="pid"/>, or -errno.</summary>
    internal static int Open(int pid)
    {
        long rc = syscall_(SYS_pidfd_open, pid, 0, 0);
        return rc < 0 ? -Marshal.GetLastPInvokeError() : (int)rc;
    }

    /// <summary>A duplicate of the target's fd, or -errno (EPERM without ptrace-attach rights).</summary>
    internal static int GetFd(int pidfd, int targetFd)
    {
        long rc = syscall_(SYS_pidfd_getfd, pidfd, targetFd, 0);
        return rc < 0 ? -Marshal.GetLastPInvokeError() : (int)rc;
    }

    internal static void Close(int fd) => close_(fd);

    /// <summary>An int socket option, or null when the kernel refuses it.</summary>
    internal static int? GetInt(int fd, int level, int name)
    {
        int value = 0;
        uint length = sizeof(int);
        return getsockopt_(fd, level, name, (byte*)&value, &length) == 0 ? value : null;
    }

    internal const int IPPROTO_TCP = 6;
    internal const int TCP_INFO = 11;
    internal const int SO_BINDTOIFINDEX = 62;
    private const ulong SIOCINQ = 0x541B;
    private const ulong SIOCOUTQ = 0x5411;

    /// <summary>getsockname/getpeername as (address text, port); null when not bound/connected.</summary>
    internal static (System.Net.IPAddress Address, ushort Port)? Name(int fd, bool peer)
    {
        byte* buf = stackalloc byte[32];
        uint length = 32;
        int rc = peer ? getpeername_(fd, buf, &length) : getsockname_(fd, buf, &length);
        if (rc != 0 || length < 8)
        {
            return null;
        }

        // struct sockaddr_in { u16 family; be16 port; be32 addr; } / sockaddr_in6 { u16; be16 port; u32 flowinfo; u8 addr[16]; u32 scope; }
        ushort family = *(ushort*)buf;
        ushort port = (ushort)((buf[2] << 8) | buf[3]);
        var address = family == 10 && length >= 24
            ? new System.Net.IPAddress(new ReadOnlySpan<byte>(buf + 8, 16))
            : new System.Net.IPAddress(new ReadOnlySpan<byte>(buf + 4, 4));
        return (address, port);
    }

    /// <summary>TCP_INFO's tcpi_state and tcpi_unacked (for a listener: the accept queue length, net/ipv4/tcp.c tcp_get_info).</summary>
    internal static (byte State, uint Unacked)? TcpInfo(int fd)
    {
        byte* buf = stackalloc byte[256];
        uint length = 256;
        if (getsockopt_(fd, IPPROTO_TCP, TCP_INFO, buf, &length) != 0 || length < 28)
        {
            return null;
        }

        return (buf[0], *(uint*)(buf + 24));
    }

    private const ulong SIOCGSKNS = 0x894C;

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl_fd_(int fd, ulong request, nint unused);

    /// <summary>
    /// The inode of the network namespace the socket belongs to (ioctl SIOCGSKNS gives an fd to it), which can
    /// differ from its holder's (a socket created before unshare(CLONE_NEWNET)); null where refused.
    /// </summary>
    internal static ulong? SocketNamespace(int fd)
    {
        int ns = ioctl_fd_(fd, SIOCGSKNS, 0);
        if (ns < 0)
        {
            return null;
        }

        try
        {
            return Libc.Stat($"/proc/self/fd/{ns}", out var st) == 0 ? st.Inode : null;
        }
        finally
        {
            close_(ns);
        }
    }

    /// <summary>Bytes queued for reading (SIOCINQ) and not yet sent (SIOCOUTQ); -1 where refused.</summary>
    internal static (int In, int Out) Queues(int fd)
    {
        int inq = 0, outq = 0;
        if (ioctl_(fd, SIOCINQ, &inq) != 0)
        {
            inq = -1;
        }

        if (ioctl_(fd, SIOCOUTQ, &outq) != 0)
        {
            outq = -1;
        }

        return (inq, outq);
    }

    /// <summary>The port of SO_PEERNAME (sockaddr_in/in6 sin_port, big-endian at offset 2); 0 when not connected.</summary>
    /// <remarks>The kernel wants exactly the address size (net/core/sock.c: EINVAL when asked for more), as criu passes it.</remarks>
    internal static ushort PeerPort(int fd, bool ipv6)
    {
        byte* buf = stackalloc byte[32];
        uint length = ipv6 ? 28u : 16u;
        if (getsockopt_(fd, SOL_SOCKET, SO_PEERNAME, buf, &length) != 0 || length < 4)
        {
            return 0;
        }

        return (ushort)((buf[2] << 8) | buf[3]);
    }
}
