using System.Runtime.InteropServices;
using Checkpointable.Interop;
using Checkpointable.Probes.SockDiag;
using Xunit;

namespace Checkpointable.Tests.SockDiag;

/// <summary>A fact that is skipped (with the reason shown) unless the tests run as root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!SockDiagTestSupport.IsRoot)
        {
            Skip = "needs root (CAP_SYS_ADMIN for setns, CAP_NET_RAW for packet sockets)";
        }
    }
}

/// <summary>Native helpers the tests need beyond what the library imports, and fixture loading.</summary>
internal static unsafe partial class SockDiagTestSupport
{
    internal static bool IsRoot => geteuid() == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socketpair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc")]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int capget(CapHeader* header, CapData* data);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int capset(CapHeader* header, CapData* data);

    internal const int CAP_SYS_ADMIN = 21;

    /// <summary>
    /// Runs <paramref name="action"/> on a new thread whose effective capabilities lack <paramref name="capability"/>.
    /// Capabilities belong to a thread (capset with pid 0), and threads it starts inherit them; the thread then ends.
    /// </summary>
    internal static T WithoutCapability<T>(int capability, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                // _LINUX_CAPABILITY_VERSION_3: two 32-bit words of each set (linux/capability.h).
                var header = new CapHeader { version = 0x20080522, pid = 0 };
                CapData* data = stackalloc CapData[2];
                if (capget(&header, data) != 0)
                {
                    throw new InvalidOperationException($"capget: errno {Marshal.GetLastPInvokeError()}");
                }

                data[capability / 32].effective &= ~(1u << (capability % 32));
                if (capset(&header, data) != 0)
                {
                    throw new InvalidOperationException($"capset: errno {Marshal.GetLastPInvokeError()}");
                }

                result = action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("the capability-less thread failed", failure);
        }

        return result;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct CapHeader
    {
        public uint version;
        public int pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct CapData
    {
        public uint effective;
        public uint permitted;
        public uint inheritable;
    }

    /// <summary>A socketpair(AF_UNIX, type); both fds closed on dispose.</summary>
    internal static SocketPair UnixSocketPair(int type = Netlink.SOCK_STREAM)
    {
        int* fds = stackalloc int[2];
        if (socketpair(Netlink.AF_UNIX, type | Netlink.SOCK_CLOEXEC, 0, fds) != 0)
        {
            throw new InvalidOperationException($"socketpair: errno {Marshal.GetLastPInvokeError()}");
        }

        return new SocketPair(fds[0], fds[1]);
    }

    /// <summary>The inode of the socket open on <paramref name="fd"/> in this process ("socket:[N]").</summary>
    internal static ulong SocketInode(int fd) => SocketInode($"/proc/self/fd/{fd}");

    internal static ulong SocketInode(nint fd) => SocketInode((int)fd);

    internal static ulong SocketInode(Netlink.SafeFd fd) => SocketInode(fd.Number);

    internal static ulong SocketInode(System.Net.Sockets.Socket socket) => SocketInode(socket.SafeHandle.DangerousGetHandle());

    internal static ulong OwnNetworkNamespace()
    {
        Assert.Equal(0, Netlink.InodeOf("/proc/thread-self/ns/net", out ulong inode));
        return inode;
    }

    /// <summary>Datagrams of a fixture: one hex line each, '#' lines are comments.</summary>
    internal static List<byte[]> LoadFixture(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "sockdiag", name + ".hex");
        return File.ReadAllLines(path)
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => Convert.FromHexString(line.Trim()))
            .ToList();
    }

    /// <summary>Copies of the SOCK_DIAG_BY_FAMILY payloads of a fixture, in order.</summary>
    internal static List<byte[]> FixturePayloads(string name)
    {
        var payloads = new List<byte[]>();
        foreach (byte[] datagram in LoadFixture(name))
        {
            var reader = new NetlinkReader(datagram);
            while (reader.TryReadMessage(out var message))
            {
                if (message.Type == Netlink.SOCK_DIAG_BY_FAMILY)
                {
                    payloads.Add(message.Payload.ToArray());
                }
            }

            Assert.False(reader.IsMalformed, reader.Error);
        }

        return payloads;
    }

    private static ulong SocketInode(string link)
    {
        string? target = new FileInfo(link).LinkTarget;
        Assert.NotNull(target);
        Assert.StartsWith("socket:[", target);
        return ulong.Parse(target.AsSpan()["socket:[".Length..^1]);
    }

    internal sealed class SocketPair(int first, int second) : IDisposable
    {
        public int First { get; } = first;

        public int Second { get; } = second;

        public void Dispose()
        {
            _ = close(First);
            _ = close(Second);
        }
    }
}
