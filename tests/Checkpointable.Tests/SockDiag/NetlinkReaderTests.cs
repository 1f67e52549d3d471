using System.Buffers.Binary;
using Checkpointable.Probes.SockDiag;
using Xunit;

namespace Checkpointable.Tests.SockDiag;

/// <summary>Framing of nlmsghdr and rtattr, including hostile lengths: the walk stops, says why, and never over-reads.</summary>
public sealed class NetlinkReaderTests
{
    [Fact]
    public void Reads_messages_and_skips_padding()
    {
        // A 21-byte message (padded to 24) followed by an unpadded 16-byte one at the very end.
        byte[] data = [.. Message(21, type: 20, seq: 7, payloadByte: 0xAB), .. new byte[3], .. Message(16, type: 3, seq: 7)];
        var reader = new NetlinkReader(data);

        Assert.True(reader.TryReadMessage(out var first));
        Assert.Equal(20, first.Type);
        Assert.Equal(7u, first.Sequence);
        Assert.Equal(5, first.Payload.Length);
        Assert.Equal(0xAB, first.Payload[0]);

        Assert.True(reader.TryReadMessage(out var second));
        Assert.Equal(3, second.Type);
        Assert.Equal(0, second.Payload.Length);

        Assert.False(reader.TryReadMessage(out _));
        Assert.False(reader.IsMalformed);
    }

    [Fact]
    public void Empty_buffer_is_a_clean_end()
    {
        var reader = new NetlinkReader([]);
        Assert.False(reader.TryReadMessage(out _));
        Assert.False(reader.IsMalformed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(15)]
    public void Truncated_header_is_malformed(int length)
    {
        byte[] data = Message(16, 20, 1)[..length];
        var reader = new NetlinkReader(data);
        Assert.False(reader.TryReadMessage(out _));
        Assert.Equal("truncated nlmsghdr", reader.Error);
    }

    [Theory]
    [InlineData(17u)]
    [InlineData(4096u)]
    [InlineData(uint.MaxValue)]
    public void Nlmsg_len_past_the_buffer_is_malformed(uint claimed)
    {
        byte[] data = Message(16, 20, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(data, claimed);
        var reader = new NetlinkReader(data);
        Assert.False(reader.TryReadMessage(out _));
        Assert.Equal("nlmsg_len past the end of the datagram", reader.Error);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(15u)]
    public void Nlmsg_len_below_the_header_is_malformed(uint claimed)
    {
        byte[] data = Message(16, 20, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(data, claimed);
        var reader = new NetlinkReader(data);
        Assert.False(reader.TryReadMessage(out _));
        Assert.True(reader.IsMalformed);
    }

    [Fact]
    public void Reads_attributes_masks_flags_and_tolerates_missing_final_padding()
    {
        byte[] data = [.. Attribute(0x8000 | 3, [1, 2, 3, 4, 5]), .. new byte[3], .. Attribute(6, [9])];
        var reader = new NetlinkReader(data);

        Assert.True(reader.TryReadAttribute(out ushort type, out var value));
        Assert.Equal(3, type); // NLA_F_NESTED removed
        Assert.Equal([1, 2, 3, 4, 5], value.ToArray());

        Assert.True(reader.TryReadAttribute(out type, out value));
        Assert.Equal(6, type);
        Assert.Equal([9], value.ToArray());

        Assert.False(reader.TryReadAttribute(out _, out _));
        Assert.False(reader.IsMalformed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Rta_len_below_the_header_is_malformed(ushort rtaLen)
    {
        byte[] data = Attribute(1, [0, 0, 0, 0]);
        BinaryPrimitives.WriteUInt16LittleEndian(data, rtaLen);
        var reader = new NetlinkReader(data);
        Assert.False(reader.TryReadAttribute(out _, out _));
        Assert.Equal("rta_len shorter than rtattr", reader.Error);
    }

    [Fact]
    public void Attribute_running_past_the_end_is_malformed()
    {
        byte[] data = Attribute(1, [0, 0, 0, 0]);
        BinaryPrimitives.WriteUInt16LittleEndian(data, 9);
        var reader = new NetlinkReader(data);
        Assert.False(reader.TryReadAttribute(out _, out _));
        Assert.Equal("rta_len past the end of the message", reader.Error);
    }

    [Fact]
    public void Trailing_bytes_shorter_than_an_attribute_header_are_malformed()
    {
        byte[] data = [.. Attribute(1, [0, 0, 0, 0]), 0xFF, 0xFF];
        var reader = new NetlinkReader(data);
        Assert.True(reader.TryReadAttribute(out _, out _));
        Assert.False(reader.TryReadAttribute(out _, out _));
        Assert.Equal("truncated rtattr", reader.Error);
    }

    [Fact]
    public void Attributes_after_a_struct_longer_than_the_payload_are_empty()
    {
        var reader = NetlinkReader.AttributesAfter<Interop.Netlink.inet_diag_msg>(new byte[10]);
        Assert.False(reader.TryReadAttribute(out _, out _));
        Assert.False(reader.IsMalformed);
    }

    internal static byte[] Message(int length, ushort type, uint seq, byte payloadByte = 0, ushort flags = 2)
    {
        var data = new byte[length];
        BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), seq);
        data.AsSpan(16).Fill(payloadByte);
        return data;
    }

    internal static byte[] Attribute(int type, byte[] value)
    {
        var data = new byte[4 + value.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(data, (ushort)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), (ushort)type);
        value.CopyTo(data, 4);
        return data;
    }
}
