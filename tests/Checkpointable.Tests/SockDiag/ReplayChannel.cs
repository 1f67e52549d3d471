using System.Buffers.Binary;
using Checkpointable.Interop;
using Checkpointable.Probes.SockDiag;

namespace Checkpointable.Tests.SockDiag;

/// <summary>
/// Plays recorded (or hand-made) reply datagrams back instead of the kernel: each request sent consumes the next
/// response, and every datagram of it is stamped with that request's sequence number where its framing allows, so
/// recordings work whatever sequence numbers they were made with. Runs out with EAGAIN, as a timed-out socket would.
/// </summary>
internal sealed class ReplayChannel(params List<byte[]>[] responses) : INetlinkChannel
{
    private readonly Queue<List<byte[]>> _responses = new(responses);
    private Queue<byte[]> _current = new();
    private uint _sequence;

    /// <summary>Every request sent, in order.</summary>
    public List<byte[]> Requests { get; } = [];

    /// <summary>Leave the recorded sequence numbers alone (to test that foreign ones are skipped).</summary>
    public bool KeepSequence { get; init; }

    public bool Disposed { get; private set; }

    public int Send(ReadOnlySpan<byte> request)
    {
        Requests.Add(request.ToArray());
        _sequence = BinaryPrimitives.ReadUInt32LittleEndian(request[8..]);
        _current = new Queue<byte[]>(_responses.Count > 0 ? _responses.Dequeue() : []);
        return 0;
    }

    public int Receive(ref byte[] buffer, out int length)
    {
        if (!_current.TryDequeue(out byte[]? datagram))
        {
            length = 0;
            return Netlink.EAGAIN;
        }

        datagram = (byte[])datagram.Clone();
        if (!KeepSequence)
        {
            Stamp(datagram, _sequence);
        }

        if (datagram.Length > buffer.Length)
        {
            buffer = new byte[datagram.Length];
        }

        datagram.CopyTo(buffer, 0);
        length = datagram.Length;
        return 0;
    }

    public void Dispose() => Disposed = true;

    private static void Stamp(byte[] datagram, uint sequence)
    {
        long offset = 0;
        while (offset + 12 <= datagram.Length)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(datagram.AsSpan((int)offset + 8), sequence);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(datagram.AsSpan((int)offset));
            if (length < 16)
            {
                return;
            }

            offset += (length + 3L) & ~3L;
        }
    }
}
