using System.Buffers.Binary;
using Checkpointable.Interop;
using Checkpointable.Model;
using Checkpointable.Probes.SockDiag;
using Xunit;
using static Checkpointable.Tests.SockDiag.NetlinkReaderTests;
using static Checkpointable.Tests.SockDiag.SockDiagTestSupport;

namespace Checkpointable.Tests.SockDiag;

/// <summary>
/// The receive loop and the table building, fed with recorded and hostile datagrams through <see cref="ReplayChannel"/>:
/// every failure must become a <see cref="SocketTable.Failed"/> entry, never an exception.
/// </summary>
public sealed class DumpLoopTests
{
    private static readonly byte[] Done = Message(20, Netlink.NLMSG_DONE, 0);

    [Fact]
    public void Unix_request_is_framed_as_the_kernel_expects_and_the_reply_fills_the_table()
    {
        var channel = new ReplayChannel(LoadFixture("unix"));
        var table = Run(channel, DiagFamily.Unix);

        Assert.Empty(table.Failed);
        Assert.Equal(6, table.Unix.Count);
        Assert.Equal([22217ul], table.Unix[22216].Icons);

        byte[] request = Assert.Single(channel.Requests);
        Assert.Equal(16 + 24, request.Length);
        Assert.Equal((uint)request.Length, BinaryPrimitives.ReadUInt32LittleEndian(request));
        Assert.Equal(Netlink.SOCK_DIAG_BY_FAMILY, BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(4)));
        Assert.Equal(Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(6)));
        Assert.Equal(Netlink.AF_UNIX, request[16]);
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(20))); // udiag_states
        Assert.Equal(0x1fu, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(28))); // udiag_show
        Assert.True(channel.Disposed);
    }

    [Fact]
    public void Tcp_asks_both_address_families_with_all_states()
    {
        var channel = new ReplayChannel(LoadFixture("tcp4"), LoadFixture("tcp6"));
        var table = Run(channel, DiagFamily.Tcp);

        Assert.Empty(table.Failed);
        Assert.Equal([22221ul, 22222ul, 22223ul, 22224ul], table.Inet.Keys.Order());
        Assert.Equal(2, channel.Requests.Count);
        Assert.Equal([Netlink.AF_INET, Netlink.AF_INET6], channel.Requests.Select(r => (int)r[16]));
        Assert.All(channel.Requests, r =>
        {
            Assert.Equal(16 + 56, r.Length);
            Assert.Equal(Netlink.IPPROTO_TCP, r[17]);
            Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(r.AsSpan(20)));
        });
    }

    [Fact]
    public void Raw_sends_the_protocol_attribute_and_reports_enoent_from_nlmsg_done_as_not_supported()
    {
        var channel = new ReplayChannel(LoadFixture("raw4-unsupported"), LoadFixture("raw4-unsupported"));
        var table = Run(channel, DiagFamily.Raw);

        Assert.Equal("ENOENT: raw_diag not supported", table.Failed[DiagFamily.Raw]);
        byte[] request = Assert.Single(channel.Requests); // AF_INET6 is not tried once the handler is known missing
        Assert.Equal(16 + 56 + 8, request.Length);
        Assert.Equal(Netlink.IPPROTO_RAW, request[17]);
        Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(72)));
        Assert.Equal(Netlink.INET_DIAG_REQ_PROTOCOL, BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(74)));
        Assert.Equal(255u, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(76)));
    }

    [Fact]
    public void Nlmsg_error_becomes_a_failed_entry()
    {
        var table = Run(new ReplayChannel(LoadFixture("error-einval")), DiagFamily.Unix);
        Assert.Equal("EINVAL: unix_diag rejected the request", table.Failed[DiagFamily.Unix]);

        byte[] enoent = Message(36, Netlink.NLMSG_ERROR, 0);
        BinaryPrimitives.WriteInt32LittleEndian(enoent.AsSpan(16), -2);
        table = Run(new ReplayChannel([enoent]), DiagFamily.Packet);
        Assert.Equal("ENOENT: packet_diag not available", table.Failed[DiagFamily.Packet]);
    }

    [Fact]
    public void Messages_of_another_sequence_are_skipped()
    {
        // A left-over record of an earlier request (sequence 99) before the real reply.
        byte[] stale = LoadFixture("unix")[0];
        BinaryPrimitives.WriteUInt32LittleEndian(stale.AsSpan(8), 99);
        byte[] staleDatagram = stale[..BinaryPrimitives.ReadInt32LittleEndian(stale)];
        var reply = LoadFixture("netlink")[0];
        BinaryPrimitives.WriteUInt32LittleEndian(staleDatagram.AsSpan(8), 99);
        StampAll(reply, 1);

        var channel = new ReplayChannel([staleDatagram, reply]) { KeepSequence = true };
        var table = Run(channel, DiagFamily.Netlink);

        Assert.Empty(table.Failed);
        Assert.Equal(3, table.Netlink.Count);
        Assert.Empty(table.Unix);
    }

    [Fact]
    public void Interrupted_dump_is_retried_once_and_the_retry_replaces_the_first_result()
    {
        byte[] interrupted = LoadFixture("unix")[0];
        SetFlag(interrupted, Netlink.NLM_F_DUMP_INTR);
        var secondAnswer = FixturePayloads("unix").Take(2).Select(p => Frame(Netlink.SOCK_DIAG_BY_FAMILY, p)).ToList();
        secondAnswer.Add(Done);

        var channel = new ReplayChannel([interrupted], [Concat(secondAnswer)]);
        var table = Run(channel, DiagFamily.Unix);

        Assert.Empty(table.Failed);
        Assert.Equal(2, channel.Requests.Count);
        Assert.Equal(2, table.Unix.Count);
    }

    [Fact]
    public void A_second_interruption_keeps_the_result()
    {
        byte[] first = LoadFixture("unix")[0];
        byte[] second = LoadFixture("unix")[0];
        SetFlag(first, Netlink.NLM_F_DUMP_INTR);
        SetFlag(second, Netlink.NLM_F_DUMP_INTR);

        var channel = new ReplayChannel([first], [second], [LoadFixture("unix")[0]]);
        var table = Run(channel, DiagFamily.Unix);

        Assert.Empty(table.Failed);
        Assert.Equal(2, channel.Requests.Count);
        Assert.Equal(6, table.Unix.Count);
    }

    [Fact]
    public void Nlmsg_done_carrying_an_error_fails_the_family()
    {
        byte[] done = Message(20, Netlink.NLMSG_DONE, 0);
        BinaryPrimitives.WriteInt32LittleEndian(done.AsSpan(16), -105);
        var table = Run(new ReplayChannel([done], [done]), DiagFamily.Udp);
        Assert.Equal("ENOBUFS: udp_diag dump", table.Failed[DiagFamily.Udp]);
    }

    public static TheoryData<string, byte[][]> HostileReplies()
    {
        byte[] unixRecord = FixturePayloads("unix")[2]; // pair a: PEER, RQLEN, SHUTDOWN attributes

        byte[] shortAttr = (byte[])unixRecord.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(shortAttr.AsSpan(16), 2); // first attribute's rta_len < 4

        byte[] longAttr = (byte[])unixRecord.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(longAttr.AsSpan(16), 400); // first attribute runs past the end

        byte[] badLength = Frame(Netlink.SOCK_DIAG_BY_FAMILY, unixRecord);
        BinaryPrimitives.WriteUInt32LittleEndian(badLength, 4000); // nlmsg_len larger than the datagram

        byte[] peerTooShort = (byte[])unixRecord.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(peerTooShort.AsSpan(16), 6); // UNIX_DIAG_PEER with 2 bytes of value

        return new TheoryData<string, byte[][]>
        {
            { "truncated nlmsghdr", [Frame(Netlink.SOCK_DIAG_BY_FAMILY, unixRecord)[..10], Done] },
            { "nlmsg_len past the end of the datagram", [badLength, Done] },
            { "reply record does not parse", [Frame(Netlink.SOCK_DIAG_BY_FAMILY, shortAttr), Done] },
            { "reply record does not parse", [Frame(Netlink.SOCK_DIAG_BY_FAMILY, longAttr), Done] },
            { "reply record does not parse", [Frame(Netlink.SOCK_DIAG_BY_FAMILY, peerTooShort), Done] },
            { "reply record does not parse", [Frame(Netlink.SOCK_DIAG_BY_FAMILY, unixRecord[..10]), Done] },
            { "truncated nlmsgerr", [Message(18, Netlink.NLMSG_ERROR, 0)] },
        };
    }

    [Theory]
    [MemberData(nameof(HostileReplies))]
    public void Hostile_replies_become_malformed_failures(string detail, byte[][] datagrams)
    {
        var table = Run(new ReplayChannel([.. datagrams]), DiagFamily.Unix);
        Assert.Equal($"malformed reply: {detail} (unix_diag)", table.Failed[DiagFamily.Unix]);
    }

    [Fact]
    public void A_reply_that_never_ends_abandons_the_connection_for_later_families()
    {
        byte[] garbage = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var channel = new ReplayChannel([garbage], [.. LoadFixture("netlink")]);
        var table = Run(channel, DiagFamily.Unix, DiagFamily.Netlink);

        Assert.Equal("malformed reply: truncated nlmsghdr (unix_diag)", table.Failed[DiagFamily.Unix]);
        Assert.Equal("malformed reply: truncated nlmsghdr (netlink_diag)", table.Failed[DiagFamily.Netlink]);
        Assert.Single(channel.Requests);
    }

    [Fact]
    public void Consume_datagram_never_throws_on_random_bytes()
    {
        var random = new Random(42);
        var buffer = new byte[512];
        for (int round = 0; round < 20000; round++)
        {
            int length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            if (length >= 16 && random.Next(2) == 0)
            {
                // Often a plausible header, so the walk gets past the first check.
                BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)random.Next(16, length + 1));
                BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(4), Netlink.SOCK_DIAG_BY_FAMILY);
                BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), 5);
            }

            var progress = default(DumpProgress);
            NetlinkConnection.ConsumeDatagram(buffer.AsSpan(0, length), 5, payload => UnixDiagParser.TryParse(payload, out _), ref progress);
            NetlinkConnection.ConsumeDatagram(buffer.AsSpan(0, length), 5, payload => InetDiagParser.TryParse(payload, IpProtocol.Tcp, out _), ref progress);
            NetlinkConnection.ConsumeDatagram(buffer.AsSpan(0, length), 5, payload => NetlinkDiagParser.TryParse(payload, out _), ref progress);
            NetlinkConnection.ConsumeDatagram(buffer.AsSpan(0, length), 5, payload => PacketDiagParser.TryParse(payload, out _), ref progress);
        }
    }

    private static SocketTable Run(ReplayChannel channel, params DiagFamily[] families)
    {
        var table = new SocketTable { NetNamespace = 1 };
        using (var connection = new NetlinkConnection(channel))
        {
            SockDiagClient.Collect(connection, families, table);
        }

        return table;
    }

    private static byte[] Frame(ushort type, byte[] payload)
    {
        byte[] message = Message(16 + payload.Length, type, 0);
        payload.CopyTo(message, 16);
        return message;
    }

    private static byte[] Concat(IEnumerable<byte[]> messages) =>
        messages.SelectMany(m => m.Concat(new byte[((m.Length + 3) & ~3) - m.Length])).ToArray();

    private static void SetFlag(byte[] datagram, ushort flag)
    {
        for (int offset = 0; offset + 16 <= datagram.Length;)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(datagram.AsSpan(offset));
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(datagram.AsSpan(offset + 6));
            BinaryPrimitives.WriteUInt16LittleEndian(datagram.AsSpan(offset + 6), (ushort)(flags | flag));
            offset += (length + 3) & ~3;
        }
    }

    private static void StampAll(byte[] datagram, uint sequence)
    {
        for (int offset = 0; offset + 16 <= datagram.Length;)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(datagram.AsSpan(offset));
            BinaryPrimitives.WriteUInt32LittleEndian(datagram.AsSpan(offset + 8), sequence);
            offset += (length + 3) & ~3;
        }
    }
}
