using Checkpointable.Model;
using Checkpointable.Probes.SockDiag;
using Xunit;
using static Checkpointable.Tests.SockDiag.SockDiagTestSupport;

namespace Checkpointable.Tests.SockDiag;

/// <summary>The four reply parsers over replies recorded from a real kernel (Fixtures/sockdiag/*.hex, described in *.txt).</summary>
public sealed class DiagParserTests
{
    [Fact]
    public void Unix_fixture_parses_every_field()
    {
        var sockets = FixturePayloads("unix").Select(p =>
        {
            Assert.True(UnixDiagParser.TryParse(p, out var s));
            return s;
        }).ToDictionary(s => s.Inode);

        Assert.Equal(6, sockets.Count);

        var dgram = sockets[22219];
        Assert.Equal(SocketType.Datagram, dgram.Type);
        Assert.Equal(7, dgram.State);
        Assert.Null(dgram.Name);
        Assert.Equal(0ul, dgram.Peer);
        Assert.Empty(dgram.Icons);

        var pairA = sockets[22214];
        Assert.Equal(SocketType.Stream, pairA.Type);
        Assert.Equal(1, pairA.State);
        Assert.Equal(22215ul, pairA.Peer);
        Assert.Equal(0u, pairA.ReceiveQueue);
        Assert.Equal(768u, pairA.SendQueue);
        Assert.Equal(1, pairA.Shutdown);

        var pairB = sockets[22215];
        Assert.Equal(22214ul, pairB.Peer);
        Assert.Equal(3u, pairB.ReceiveQueue);
        Assert.Equal(2, pairB.Shutdown);

        var listener = sockets[22216];
        Assert.Equal(10, listener.State);
        Assert.Equal("/tmp/sockdiag-fixture.sock", listener.Name); // the trailing NUL is not part of the name
        Assert.Equal([22217ul], listener.Icons);
        Assert.Equal(1u, listener.ReceiveQueue);
        Assert.Equal(4u, listener.SendQueue);
        Assert.Equal(11657363ul, listener.VfsInode);
        Assert.Equal(0x0fe00000u, listener.VfsDevice);

        var client = sockets[22217];
        Assert.Equal(1, client.State);
        Assert.Equal(0ul, client.Peer);

        var abstractListener = sockets[22218];
        Assert.Equal(SocketType.SeqPacket, abstractListener.Type);
        Assert.Equal("@sockdiag-fixture@x", abstractListener.Name);
        Assert.Empty(abstractListener.Icons);
        Assert.Equal(0ul, abstractListener.VfsInode);
    }

    [Fact]
    public void Tcp4_fixture_parses_listener_bound_and_established()
    {
        var sockets = FixturePayloads("tcp4").Select(p =>
        {
            Assert.True(InetDiagParser.TryParse(p, IpProtocol.Tcp, out var s));
            return s;
        }).ToDictionary(s => s.Inode);

        var listener = sockets[22221];
        Assert.Equal(2, listener.Family);
        Assert.False(listener.IsV6);
        Assert.Equal(IpProtocol.Tcp, listener.Protocol);
        Assert.Equal(10, listener.State);
        Assert.Equal("127.0.0.1", listener.LocalAddress);
        Assert.Equal(35743, listener.LocalPort);
        Assert.Equal("0.0.0.0", listener.RemoteAddress);
        Assert.Equal(0, listener.RemotePort);
        Assert.Equal(1u, listener.ReceiveQueue);
        Assert.Equal(4u, listener.SendQueue);
        Assert.Equal(0u, listener.InterfaceIndex);
        Assert.Equal("127.0.0.1:35743", listener.Local);

        Assert.Equal(7, sockets[22223].State);
        Assert.Equal(39417, sockets[22223].LocalPort);

        var client = sockets[22222];
        Assert.Equal(1, client.State);
        Assert.Equal(55600, client.LocalPort);
        Assert.Equal("127.0.0.1", client.RemoteAddress);
        Assert.Equal(35743, client.RemotePort);
    }

    [Fact]
    public void Tcp6_and_udp4_fixtures_parse()
    {
        Assert.True(InetDiagParser.TryParse(Assert.Single(FixturePayloads("tcp6")), IpProtocol.Tcp, out var v6));
        Assert.Equal(22224ul, v6.Inode);
        Assert.True(v6.IsV6);
        Assert.Equal("::1", v6.LocalAddress);
        Assert.Equal("::", v6.RemoteAddress);
        Assert.Equal("[::1]:38291", v6.Local);

        Assert.True(InetDiagParser.TryParse(Assert.Single(FixturePayloads("udp4")), IpProtocol.Udp, out var udp));
        Assert.Equal(22225ul, udp.Inode);
        Assert.Equal(IpProtocol.Udp, udp.Protocol);
        Assert.Equal(7, udp.State);
        Assert.Equal(42617, udp.LocalPort);
    }

    [Fact]
    public void Netlink_fixture_parses_groups_and_receive_memory()
    {
        var sockets = new Dictionary<ulong, NetlinkSocket>();
        foreach (byte[] payload in FixturePayloads("netlink"))
        {
            Assert.True(NetlinkDiagParser.TryParse(payload, out var s));
            sockets[s.Inode] = s;
        }

        var unread = sockets[22233];
        Assert.Equal(0, unread.Protocol);
        Assert.Equal(3967051183u, unread.PortId);
        Assert.Empty(unread.Groups);
        Assert.Equal(4352u, unread.ReceiveMemory);

        var link = sockets[22231];
        Assert.Equal(7090u, link.PortId);
        Assert.Equal([1u, 0u], link.Groups);
        Assert.Equal(0u, link.ReceiveMemory);

        var group33 = sockets[22232];
        Assert.Equal(0u, group33.PortId);
        Assert.Equal([0u, 1u], group33.Groups);
    }

    [Fact]
    public void Packet_fixture_parses_type_protocol_and_mclist()
    {
        var sockets = FixturePayloads("packet").Select(p =>
        {
            Assert.True(PacketDiagParser.TryParse(p, out var s));
            return s;
        }).ToDictionary(s => s.Inode);

        var raw = sockets[22235];
        Assert.Equal(SocketType.Raw, raw.Type);
        Assert.Equal(3, raw.Protocol);
        Assert.Equal([(1, 2u)], raw.MulticastMemberships);

        var arp = sockets[22236];
        Assert.Equal(SocketType.Datagram, arp.Type);
        Assert.Equal(0x0806, arp.Protocol);
        Assert.Empty(arp.MulticastMemberships);
    }

    [Theory]
    [InlineData("/path\0junk", "/path")]
    [InlineData("/no-terminator", "/no-terminator")]
    [InlineData("\0abstract", "@abstract")]
    [InlineData("\0a\0b", "@a@b")]
    [InlineData("", "")]
    public void Unix_names_decode_like_proc_net_unix(string raw, string expected) =>
        Assert.Equal(expected, UnixDiagParser.DecodeName(System.Text.Encoding.UTF8.GetBytes(raw)));

    /// <summary>Every prefix of every recorded record: a cut record never parses and never reads out of range.</summary>
    [Theory]
    [InlineData("unix")]
    [InlineData("tcp4")]
    [InlineData("tcp6")]
    [InlineData("udp4")]
    [InlineData("netlink")]
    [InlineData("packet")]
    public void Truncated_records_are_rejected(string fixture)
    {
        foreach (byte[] payload in FixturePayloads(fixture))
        {
            Assert.True(Parse(fixture, payload));
            for (int length = 0; length < payload.Length; length++)
            {
                // A cut inside the fixed struct or inside an attribute header/value must fail; a cut exactly on an
                // attribute boundary is a well-formed shorter record.
                bool parsed = Parse(fixture, payload.AsSpan(0, length));
                if (parsed)
                {
                    Assert.True(length >= 16, $"{fixture}: parsed {length} bytes");
                }
            }
        }
    }

    /// <summary>Random corruption of recorded records: parsers answer true or false, never throw.</summary>
    [Theory]
    [InlineData("unix")]
    [InlineData("tcp4")]
    [InlineData("netlink")]
    [InlineData("packet")]
    public void Corrupted_records_never_throw(string fixture)
    {
        var random = new Random(1234);
        foreach (byte[] original in FixturePayloads(fixture))
        {
            for (int round = 0; round < 2000; round++)
            {
                byte[] payload = (byte[])original.Clone();
                int flips = random.Next(1, 6);
                for (int i = 0; i < flips; i++)
                {
                    payload[random.Next(payload.Length)] = (byte)random.Next(256);
                }

                _ = Parse(fixture, payload);
            }
        }
    }

    private static bool Parse(string fixture, ReadOnlySpan<byte> payload) => fixture switch
    {
        "unix" => UnixDiagParser.TryParse(payload, out _),
        "netlink" => NetlinkDiagParser.TryParse(payload, out _),
        "packet" => PacketDiagParser.TryParse(payload, out _),
        _ => InetDiagParser.TryParse(payload, IpProtocol.Tcp, out _),
    };
}
