using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Checkpointable.Interop;

namespace Checkpointable.Probes.SockDiag;

/// <summary>One netlink message inside a received datagram: its header fields and a view of its payload.</summary>
internal readonly ref struct NetlinkMessage
{
    public NetlinkMessage(Netlink.nlmsghdr header, ReadOnlySpan<byte> payload)
    {
        Type = header.nlmsg_type;
        Flags = header.nlmsg_flags;
        Sequence = header.nlmsg_seq;
        PortId = header.nlmsg_pid;
        Payload = payload;
    }

    public ushort Type { get; }

    public ushort Flags { get; }

    public uint Sequence { get; }

    public uint PortId { get; }

    /// <summary>The bytes after the 16-byte header, up to nlmsg_len (padding excluded).</summary>
    public ReadOnlySpan<byte> Payload { get; }
}

/// <summary>
/// Bounds-checked walk over netlink framing: the messages of a datagram (struct nlmsghdr) or the attributes
/// after a fixed reply struct (struct rtattr / nlattr), both from linux/netlink.h. It never reads outside the
/// span it was given: a length field that is too small or runs past the end stops the walk and sets
/// <see cref="Error"/>, because nothing after a bad length can be trusted. Views are slices of the receive
/// buffer, so walking allocates nothing.
/// </summary>
internal ref struct NetlinkReader
{
    private const int HeaderSize = 16; // sizeof(struct nlmsghdr)
    private const int AttributeHeaderSize = 4; // sizeof(struct rtattr)

    private ReadOnlySpan<byte> _rest;

    public NetlinkReader(ReadOnlySpan<byte> data)
    {
        _rest = data;
        Error = null;
    }

    /// <summary>Why the walk stopped early, or null while the framing is sound.</summary>
    public string? Error { get; private set; }

    public readonly bool IsMalformed => Error is not null;

    /// <summary>NLMSG_ALIGN / NLA_ALIGN: round up to the next multiple of 4.</summary>
    public static int Align(int length) => (length + Netlink.NLMSG_ALIGNTO - 1) & ~(Netlink.NLMSG_ALIGNTO - 1);

    /// <summary>Next message, or false at the end of the datagram or on a malformed header (then <see cref="Error"/> is set).</summary>
    public bool TryReadMessage(out NetlinkMessage message)
    {
        message = default;
        if (_rest.IsEmpty || Error is not null)
        {
            return false;
        }

        if (_rest.Length < HeaderSize)
        {
            return Fail("truncated nlmsghdr");
        }

        var header = MemoryMarshal.Read<Netlink.nlmsghdr>(_rest);
        if (header.nlmsg_len < HeaderSize)
        {
            return Fail("nlmsg_len shorter than nlmsghdr");
        }

        if (header.nlmsg_len > (uint)_rest.Length)
        {
            return Fail("nlmsg_len past the end of the datagram");
        }

        int length = (int)header.nlmsg_len;
        message = new NetlinkMessage(header, _rest[HeaderSize..length]);
        Advance(length);
        return true;
    }

    /// <summary>
    /// Next attribute, with the flag bits (NLA_F_NESTED, NLA_F_NET_BYTEORDER) removed from its type; false at the end
    /// or on a malformed header (then <see cref="Error"/> is set). Callers skip types they do not know.
    /// </summary>
    public bool TryReadAttribute(out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (_rest.IsEmpty || Error is not null)
        {
            return false;
        }

        if (_rest.Length < AttributeHeaderSize)
        {
            return Fail("truncated rtattr");
        }

        var header = MemoryMarshal.Read<Netlink.rtattr>(_rest);
        if (header.rta_len < AttributeHeaderSize)
        {
            return Fail("rta_len shorter than rtattr");
        }

        if (header.rta_len > _rest.Length)
        {
            return Fail("rta_len past the end of the message");
        }

        type = (ushort)(header.rta_type & Netlink.NLA_TYPE_MASK);
        value = _rest[AttributeHeaderSize..header.rta_len];
        Advance(header.rta_len);
        return true;
    }

    /// <summary>A fixed-size kernel struct at the start of <paramref name="data"/>; false when the data is shorter.</summary>
    public static bool TryRead<T>(out T value, ReadOnlySpan<byte> data)
        where T : unmanaged
    {
        if (data.Length < Unsafe.SizeOf<T>())
        {
            value = default;
            return false;
        }

        value = MemoryMarshal.Read<T>(data);
        return true;
    }

    /// <summary>The attributes that follow a fixed-size reply struct <typeparamref name="T"/> in a payload.</summary>
    public static NetlinkReader AttributesAfter<T>(ReadOnlySpan<byte> payload)
        where T : unmanaged
    {
        int start = Align(Unsafe.SizeOf<T>());
        return new NetlinkReader(start < payload.Length ? payload[start..] : default);
    }

    // The last message or attribute of a buffer may lack its padding; never step past the end.
    private void Advance(int length) => _rest = _rest[Math.Min(Align(length), _rest.Length)..];

    private bool Fail(string error)
    {
        Error = error;
        _rest = default;
        return false;
    }
}
