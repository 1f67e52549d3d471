using System.Numerics;
using Checkpointable.Interop;

namespace Checkpointable.Probes.SockDiag;

/// <summary>
/// Where request datagrams go and reply datagrams come from: the kernel through a NETLINK_SOCK_DIAG socket
/// (<see cref="SocketChannel"/>) or, in tests, a recording. Methods return errno (0 = success).
/// </summary>
internal interface INetlinkChannel : IDisposable
{
    int Send(ReadOnlySpan<byte> request);

    /// <summary>Receives the next whole datagram from the kernel into <paramref name="buffer"/>, replacing it with a larger one if needed.</summary>
    int Receive(ref byte[] buffer, out int length);
}

/// <summary>
/// A NETLINK_SOCK_DIAG socket. It answers for the network namespace it was created in, whichever thread uses it later.
/// </summary>
internal sealed class SocketChannel : INetlinkChannel
{
    /// <summary>
    /// A dump is produced inside recvmsg, so a blocking receive never waits on anyone; the timeout only bounds the damage
    /// if a reply's framing was so broken that its NLMSG_DONE was never recognised.
    /// </summary>
    internal static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);

    private readonly Netlink.SafeFd _fd;

    /// <summary>Takes ownership of <paramref name="fd"/>, a socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG).</summary>
    internal SocketChannel(Netlink.SafeFd fd)
    {
        _fd = fd;
        _ = Netlink.SetReceiveTimeout(fd, ReceiveTimeout); // best effort: without it we merely lose the safety net
    }

    /// <summary>Creates the socket in the calling thread's network namespace. Returns 0 or errno.</summary>
    internal static int CreateSocket(out Netlink.SafeFd fd, int protocol = Netlink.NETLINK_SOCK_DIAG) =>
        Netlink.Socket(Netlink.AF_NETLINK, Netlink.SOCK_RAW, protocol, out fd);

    public int Send(ReadOnlySpan<byte> request) => Netlink.SendToKernel(_fd, request);

    /// <summary>
    /// Peeks with MSG_PEEK|MSG_TRUNC to learn the datagram's size and grows the buffer first (iproute2 rtnl_recvmsg), so a
    /// datagram is never cut short. Datagrams from a sender other than the kernel (nl_pid ≠ 0) are dropped: any process may
    /// send to our port id.
    /// </summary>
    public int Receive(ref byte[] buffer, out int length)
    {
        while (true)
        {
            // An empty buffer: MSG_TRUNC still reports the full size, and nothing is copied twice.
            int errno = Netlink.Receive(_fd, [], peek: true, out int size, out _);
            if (errno != 0)
            {
                length = 0;
                return errno;
            }

            if (size > buffer.Length)
            {
                buffer = new byte[BitOperations.RoundUpToPowerOf2((uint)size)];
            }

            errno = Netlink.Receive(_fd, buffer, peek: false, out length, out uint sender);
            if (errno != 0)
            {
                return errno;
            }

            if (length > buffer.Length)
            {
                // Only if the queue changed between peek and read, which a single reader never sees.
                length = 0;
                return Netlink.EMSGSIZE;
            }

            if (sender == 0)
            {
                return 0;
            }
        }
    }

    public void Dispose() => _fd.Dispose();
}
