using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Checkpointable.Interop;

/// <summary>
/// The kernel's process events connector (linux/connector.h, linux/cn_proc.h): a netlink socket that reports
/// fork, exec and exit of every task. Needs CAP_NET_ADMIN; callers fall back to listing /proc without it.
/// </summary>
internal static unsafe partial class ProcConnector
{
    internal const uint PROC_EVENT_FORK = 0x00000001;
    internal const uint PROC_EVENT_EXEC = 0x00000002;
    internal const uint PROC_EVENT_EXIT = 0x80000000;
    internal const int ENOBUFS = 105;

    private const int AF_NETLINK = 16;
    private const int SOCK_DGRAM = 2;
    private const int SOCK_NONBLOCK = 0x800;
    private const int SOCK_CLOEXEC = 0x80000;
    private const int NETLINK_CONNECTOR = 11;
    private const uint CN_IDX_PROC = 1;
    private const uint CN_VAL_PROC = 1;
    private const uint PROC_CN_MCAST_LISTEN = 1;
    private const ushort NLMSG_DONE = 3;
    private const int EAGAIN = 11;
    private const int EINTR = 4;
    private const int HeaderSize = 16 + 20; // nlmsghdr + cn_msg

    [StructLayout(LayoutKind.Sequential)]
    private struct sockaddr_nl
    {
        public ushort nl_family;
        public ushort nl_pad;
        public uint nl_pid;
        public uint nl_groups;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int socket_(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int bind_(int fd, sockaddr_nl* addr, uint addrlen);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint send_(int fd, byte* buf, nuint len, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint recv_(int fd, byte* buf, nuint len, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    internal static partial int Close(int fd);

    /// <summary>A listening socket, or -errno (EPERM without CAP_NET_ADMIN, EPROTONOSUPPORT without the connector).</summary>
    internal static int Open()
    {
        int fd = socket_(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
        if (fd < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        var addr = new sockaddr_nl { nl_family = AF_NETLINK, nl_groups = CN_IDX_PROC };
        byte* msg = stackalloc byte[HeaderSize + 4];
        new Span<byte>(msg, HeaderSize + 4).Clear();
        var span = new Span<byte>(msg, HeaderSize + 4);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)(HeaderSize + 4)); // nlmsg_len (host order: little-endian targets)
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], NLMSG_DONE);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], CN_IDX_PROC);       // cn_msg.id.idx
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], CN_VAL_PROC);       // cn_msg.id.val
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], 4);                 // cn_msg.len
        BinaryPrimitives.WriteUInt32LittleEndian(span[HeaderSize..], PROC_CN_MCAST_LISTEN);
        if (bind_(fd, &addr, (uint)sizeof(sockaddr_nl)) < 0 || send_(fd, msg, (nuint)(HeaderSize + 4), 0) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Close(fd);
            return -errno;
        }

        return fd;
    }

    /// <summary>
    /// Reads every pending event of processes (thread events are skipped): (what, pid). Returns 0, or -ENOBUFS when
    /// the kernel dropped events (the caller must list /proc), or another -errno.
    /// </summary>
    internal static int Drain(int fd, List<(uint What, int Pid)> events)
    {
        byte* buf = stackalloc byte[8192];
        while (true)
        {
            nint n = recv_(fd, buf, 8192, 0);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno == EAGAIN ? 0 : errno == EINTR ? Drain(fd, events) : -errno;
            }

            Parse(new ReadOnlySpan<byte>(buf, (int)n), events);
        }
    }

    /// <summary>One datagram: netlink messages, each a cn_msg carrying a struct proc_event.</summary>
    internal static void Parse(ReadOnlySpan<byte> data, List<(uint What, int Pid)> events)
    {
        while (data.Length >= HeaderSize + 24)
        {
            int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (len < HeaderSize + 24 || len > data.Length)
            {
                return;
            }

            var ev = data[HeaderSize..len];
            uint what = BinaryPrimitives.ReadUInt32LittleEndian(ev);
            // proc_event: what, cpu, timestamp_ns, then the event: fork (parent pid, tgid, child pid, tgid), exec and exit (pid, tgid).
            if (what == PROC_EVENT_FORK && ev.Length >= 32)
            {
                int child = BinaryPrimitives.ReadInt32LittleEndian(ev[24..]);
                if (child == BinaryPrimitives.ReadInt32LittleEndian(ev[28..]))
                {
                    events.Add((what, child));
                }
            }
            else if (what is PROC_EVENT_EXEC or PROC_EVENT_EXIT)
            {
                int pid = BinaryPrimitives.ReadInt32LittleEndian(ev[16..]);
                if (pid == BinaryPrimitives.ReadInt32LittleEndian(ev[20..]))
                {
                    events.Add((what, pid));
                }
            }

            int next = (len + 3) & ~3;
            if (next >= data.Length)
            {
                return;
            }

            data = data[next..];
        }
    }
}
