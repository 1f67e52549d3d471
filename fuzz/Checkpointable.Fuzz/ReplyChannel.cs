using System.Buffers.Binary;
using Checkpointable.Interop;
using Checkpointable.Probes.SockDiag;

namespace Checkpointable.Fuzz;

/// <summary>
/// Answers the one request sent with the fuzzer's input as the reply datagram, its messages stamped with the request's
/// sequence number where the framing allows (a fuzzer cannot guess it), then EAGAIN as a timed-out socket would.
/// </summary>
internal sealed class ReplyChannel(byte[] reply) : INetlinkChannel
{
    private byte[]? _pending;

    public int Send(ReadOnlySpan<byte> request)
    {
        uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(request[8..]);
        _pending = (byte[])reply.Clone();
        long offset = 0;
        while (offset + 12 <= _pending.Length)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_pending.AsSpan((int)offset + 8), sequence);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(_pending.AsSpan((int)offset));
            if (length < 16)
            {
                break;
            }

            offset += (length + 3L) & ~3L;
        }

        return 0;
    }

    public int Receive(ref byte[] buffer, out int length)
    {
        if (_pending is not { } datagram)
        {
            length = 0;
            return Netlink.EAGAIN;
        }

        _pending = null;
        if (datagram.Length > buffer.Length)
        {
            buffer = new byte[datagram.Length];
        }

        datagram.CopyTo(buffer, 0);
        length = datagram.Length;
        return 0;
    }

    public void Dispose()
    {
    }
}
