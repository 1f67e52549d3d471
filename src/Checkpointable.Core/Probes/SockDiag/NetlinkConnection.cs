using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Checkpointable.Interop;

namespace Checkpointable.Probes.SockDiag;

/// <summary>Receives one reply payload (the bytes after nlmsghdr); returns false when it does not parse.</summary>
internal delegate bool PayloadHandler(ReadOnlySpan<byte> payload);

/// <summary>The step of a dump that an errno belongs to.</summary>
internal enum DumpStep
{
    None,

    /// <summary>sendto(2) of the request.</summary>
    Send,

    /// <summary>recvmsg(2) of a reply datagram.</summary>
    Receive,

    /// <summary>The kernel answered with an error (NLMSG_ERROR, or NLMSG_DONE carrying one).</summary>
    Reply,
}

/// <summary>How one dump ended.</summary>
/// <param name="Errno">0, or the errno of the failed step.</param>
/// <param name="Step">Where <paramref name="Errno"/> came from.</param>
/// <param name="Malformed">Why some of the reply could not be read, or null.</param>
/// <param name="Interrupted">Some message carried NLM_F_DUMP_INTR: the table changed during the walk.</param>
internal readonly record struct DumpOutcome(int Errno, DumpStep Step, string? Malformed, bool Interrupted)
{
    public bool Succeeded => Errno == 0 && Malformed is null;

    /// <summary>The kernel has no handler for the request (ENOENT; EINVAL from older kernels): asking again is pointless.</summary>
    public bool Unsupported => Step == DumpStep.Reply && Errno is Netlink.ENOENT or Netlink.EINVAL;
}

/// <summary>Running state of one dump across its datagrams.</summary>
internal struct DumpProgress
{
    public bool Done;
    public int Errno;
    public string? Malformed;
    public bool Interrupted;
}

/// <summary>
/// A NETLINK_SOCK_DIAG conversation: sends one dump request at a time and runs the receive loop (linux/netlink.h
/// semantics, as iproute2 rtnl_dump_filter_l and CRIU nlmsg_receive do it): messages of another sequence number are
/// left-overs of an earlier request and skipped; NLMSG_DONE ends the dump and may carry a negative errno; NLMSG_ERROR
/// carries a negative errno in struct nlmsgerr; NLM_F_DUMP_INTR is remembered for the caller to retry. Payloads are
/// handed over as slices of the one receive buffer, never copied.
/// </summary>
internal sealed class NetlinkConnection : IDisposable
{
    /// <summary>Twice what the kernel puts in one dump datagram (it caps at SKB_WITH_OVERHEAD(32768)); grown on demand.</summary>
    private const int InitialBufferSize = 64 * 1024;

    private const int HeaderSize = 16; // sizeof(struct nlmsghdr)
    private const int MaxRequestSize = 256;

    private readonly INetlinkChannel _channel;
    private byte[] _buffer = new byte[InitialBufferSize];
    private uint _sequence;
    private DumpOutcome? _abandoned;

    internal NetlinkConnection(INetlinkChannel channel)
    {
        _channel = channel;
    }

    /// <summary>
    /// Sends SOCK_DIAG_BY_FAMILY with NLM_F_DUMP, <paramref name="request"/> as its body and <paramref name="attributes"/>
    /// (already framed rtattrs) after it, then feeds every reply record to <paramref name="handler"/> until the dump ends.
    /// </summary>
    /// <param name="dump">false: an exact lookup (NLM_F_ACK instead of NLM_F_DUMP; the kernel answers one record then the ack).</param>
    /// <param name="type">The request type; its replies come as <paramref name="replyType"/> (RTM_GETLINK → RTM_NEWLINK).</param>
    internal DumpOutcome Dump<TRequest>(
        in TRequest request,
        ReadOnlySpan<byte> attributes,
        PayloadHandler handler,
        bool dump = true,
        ushort type = Netlink.SOCK_DIAG_BY_FAMILY,
        ushort replyType = Netlink.SOCK_DIAG_BY_FAMILY)
        where TRequest : unmanaged
    {
        if (_abandoned is { } abandoned)
        {
            // A receive timed out: the kernel may still be in the middle of that dump (a new one would get EBUSY) and
            // the stream is out of step. Report the same failure rather than wait out another timeout.
            return abandoned;
        }

        uint sequence = NextSequence();
        int bodySize = NetlinkReader.Align(Unsafe.SizeOf<TRequest>());
        int length = HeaderSize + bodySize + attributes.Length;
        if (length > MaxRequestSize)
        {
            return new DumpOutcome(Netlink.EMSGSIZE, DumpStep.Send, null, false);
        }

        Span<byte> message = stackalloc byte[MaxRequestSize];
        message = message[..length];
        message.Clear();
        var header = new Netlink.nlmsghdr
        {
            nlmsg_len = (uint)length,
            nlmsg_type = type,
            nlmsg_flags = (ushort)(Netlink.NLM_F_REQUEST | (dump ? Netlink.NLM_F_DUMP : Netlink.NLM_F_ACK)),
            nlmsg_seq = sequence,
        };
        MemoryMarshal.Write(message, in header);
        MemoryMarshal.Write(message[HeaderSize..], in request);
        attributes.CopyTo(message[(HeaderSize + bodySize)..]);

        int errno = _channel.Send(message);
        if (errno != 0)
        {
            return new DumpOutcome(errno, DumpStep.Send, null, false);
        }

        var progress = default(DumpProgress);
        while (!progress.Done)
        {
            errno = _channel.Receive(ref _buffer, out int received);
            if (errno != 0)
            {
                var failed = new DumpOutcome(errno, DumpStep.Receive, progress.Malformed, progress.Interrupted);
                if (errno == Netlink.EAGAIN)
                {
                    _abandoned = failed;
                }

                return failed;
            }

            ConsumeDatagram(_buffer.AsSpan(0, received), sequence, handler, ref progress, replyType);
        }

        return new DumpOutcome(progress.Errno, progress.Errno != 0 ? DumpStep.Reply : DumpStep.None, progress.Malformed, progress.Interrupted);
    }

    /// <summary>
    /// Processes the messages of one received datagram for the dump numbered <paramref name="sequence"/>; sets
    /// <see cref="DumpProgress.Done"/> when NLMSG_DONE or NLMSG_ERROR arrives. A malformed message header ends this
    /// datagram only: each datagram is framed on its own, so the loop goes on to find NLMSG_DONE in a later one.
    /// </summary>
    internal static void ConsumeDatagram(
        ReadOnlySpan<byte> datagram, uint sequence, PayloadHandler handler, ref DumpProgress progress, ushort replyType = Netlink.SOCK_DIAG_BY_FAMILY)
    {
        var reader = new NetlinkReader(datagram);
        while (!progress.Done && reader.TryReadMessage(out var message))
        {
            if (message.Sequence != sequence)
            {
                continue;
            }

            if ((message.Flags & Netlink.NLM_F_DUMP_INTR) != 0)
            {
                progress.Interrupted = true;
            }

            switch (message.Type)
            {
                case Netlink.NLMSG_DONE:
                    // The dump's own error, if it failed part-way, is an int after the header (netlink_dump_done).
                    progress.Done = true;
                    if (message.Payload.Length >= sizeof(int))
                    {
                        progress.Errno = ErrnoOf(MemoryMarshal.Read<int>(message.Payload));
                    }

                    break;
                case Netlink.NLMSG_ERROR:
                    progress.Done = true;
                    if (message.Payload.Length < sizeof(int))
                    {
                        progress.Malformed ??= "truncated nlmsgerr";
                        break;
                    }

                    // struct nlmsgerr starts with the negative errno (0 would be an ACK); the echoed request header is not needed.
                    progress.Errno = ErrnoOf(MemoryMarshal.Read<int>(message.Payload));
                    break;
                case var t when t == replyType:
                    if (!handler(message.Payload))
                    {
                        progress.Malformed ??= "reply record does not parse";
                    }

                    break;
                default:
                    // NLMSG_NOOP, NLMSG_OVERRUN or a type we do not know: nothing to take from it.
                    break;
            }
        }

        if (reader.IsMalformed)
        {
            progress.Malformed ??= reader.Error;
        }
    }

    public void Dispose() => _channel.Dispose();

    private static int ErrnoOf(int error) => error == int.MinValue ? int.MaxValue : Math.Abs(error);

    private uint NextSequence()
    {
        _sequence++;
        if (_sequence == 0)
        {
            _sequence = 1;
        }

        return _sequence;
    }
}
