using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Checkpointable.Interop;
using Checkpointable.Model;
using Checkpointable.Probes.SockDiag;
using Xunit;
using Xunit.Abstractions;
using static Checkpointable.Tests.SockDiag.SockDiagTestSupport;
using ModelSocketType = Checkpointable.Model.SocketType;
using NetSocketType = System.Net.Sockets.SocketType;

namespace Checkpointable.Tests.SockDiag;

/// <summary>Real sockets made by this test process, looked up with a real dump of our own network namespace.</summary>
public sealed class LiveCollectTests(ITestOutputHelper output)
{
    private static readonly DiagFamily[] s_all = Enum.GetValues<DiagFamily>();

    private static SocketTable CollectOwn(params DiagFamily[] families) =>
        SockDiagClient.Collect(OwnNetworkNamespace(), null, families.Length == 0 ? s_all : families);

    [Fact]
    public void Every_family_either_dumps_or_says_why()
    {
        var table = CollectOwn();
        foreach (var (family, reason) in table.Failed)
        {
            output.WriteLine($"{family}: {reason}");
        }

        // This project's CI kernels have every diag module but INET_RAW_DIAG; raw may be missing anywhere.
        Assert.All(table.Failed, f => Assert.Equal(DiagFamily.Raw, f.Key));
        if (table.Failed.TryGetValue(DiagFamily.Raw, out string? raw))
        {
            Assert.Matches("^E(NOENT|INVAL): raw_diag not supported$", raw);
        }

        Assert.Equal(OwnNetworkNamespace(), table.NetNamespace);
    }

    [Fact]
    public void Unix_socketpair_ends_name_each_other_as_peer()
    {
        using var pair = UnixSocketPair();
        ulong a = SocketInode(pair.First);
        ulong b = SocketInode(pair.Second);

        var table = CollectOwn(DiagFamily.Unix);

        Assert.DoesNotContain(DiagFamily.Unix, table.Failed.Keys);
        Assert.Equal(b, table.Unix[a].Peer);
        Assert.Equal(a, table.Unix[b].Peer);
        Assert.Equal(ModelSocketType.Stream, table.Unix[a].Type);
        Assert.Equal(1, table.Unix[a].State);
        Assert.Null(table.Unix[a].Name);
    }

    [Fact]
    public void Unix_listener_shows_its_pending_connection()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ckpt-sockdiag-{Guid.NewGuid():N}.sock");
        try
        {
            using var listener = new Socket(AddressFamily.Unix, NetSocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(4);
            using var client = new Socket(AddressFamily.Unix, NetSocketType.Stream, ProtocolType.Unspecified);
            client.Connect(new UnixDomainSocketEndPoint(path));
            ulong listenerInode = SocketInode(listener);
            ulong clientInode = SocketInode(client);

            var table = CollectOwn(DiagFamily.Unix);

            var entry = table.Unix[listenerInode];
            Assert.Equal(10, entry.State);
            Assert.Equal(path, entry.Name);
            Assert.Equal(1u, entry.ReceiveQueue);
            Assert.Equal(4u, entry.SendQueue);
            ulong icon = Assert.Single(entry.Icons);
            Assert.Equal(clientInode, icon); // the kernel lists the client's inode (the embryo's peer)
            Assert.Equal(0, Netlink.InodeOf(path, out ulong fileInode));
            Assert.Equal(fileInode, entry.VfsInode);
            Assert.NotEqual(0u, entry.VfsDevice);

            Assert.Equal(1, table.Unix[clientInode].State);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Abstract_unix_name_starts_with_at()
    {
        string name = $"ckpt-sockdiag-{Guid.NewGuid():N}";
        using var listener = new Socket(AddressFamily.Unix, NetSocketType.Seqpacket, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint("\0" + name));
        listener.Listen(1);

        var entry = CollectOwn(DiagFamily.Unix).Unix[SocketInode(listener)];

        Assert.Equal("@" + name, entry.Name);
        Assert.Equal(ModelSocketType.SeqPacket, entry.Type);
        Assert.Equal(10, entry.State);
        Assert.Empty(entry.Icons);
        Assert.Equal(0ul, entry.VfsInode);
    }

    [Fact]
    public void Tcp_listener_with_an_unaccepted_connection_and_its_client()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, NetSocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var client = new Socket(AddressFamily.InterNetwork, NetSocketType.Stream, ProtocolType.Tcp);
        client.Connect(new IPEndPoint(IPAddress.Loopback, port));
        int clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;

        var table = CollectOwn(DiagFamily.Tcp);

        Assert.DoesNotContain(DiagFamily.Tcp, table.Failed.Keys);
        var server = table.Inet[SocketInode(listener)];
        Assert.Equal(IpProtocol.Tcp, server.Protocol);
        Assert.Equal(2, server.Family);
        Assert.Equal(10, server.State);
        Assert.Equal("127.0.0.1", server.LocalAddress);
        Assert.Equal(port, server.LocalPort);
        Assert.Equal(1u, server.ReceiveQueue);
        Assert.Equal(8u, server.SendQueue);

        var established = table.Inet[SocketInode(client)];
        Assert.Equal(1, established.State);
        Assert.Equal(clientPort, established.LocalPort);
        Assert.Equal("127.0.0.1", established.RemoteAddress);
        Assert.Equal(port, established.RemotePort);
        Assert.DoesNotContain(0ul, table.Inet.Keys); // the unaccepted child has no inode and is left out
    }

    [SkippableFact]
    public void Tcp_socket_bound_but_not_listening_is_listed_as_close_on_linux_6_8_and_later()
    {
        Skip.If(Environment.OSVersion.Version < new Version(6, 8), $"kernel {Environment.OSVersion.Version}: sock_diag lists a bound-only TCP socket from Linux 6.8");
        using var bound = new Socket(AddressFamily.InterNetwork, NetSocketType.Stream, ProtocolType.Tcp);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        var table = CollectOwn(DiagFamily.Tcp);
        bool listed = table.Inet.TryGetValue(SocketInode(bound), out var entry);

        output.WriteLine($"kernel {Environment.OSVersion.Version}: bound-only TCP socket listed: {listed}");
        Assert.True(listed);
        Assert.Equal(7, entry!.State);
        Assert.Equal(((IPEndPoint)bound.LocalEndPoint!).Port, entry.LocalPort);
    }

    [SkippableFact]
    public void Tcp6_listener_on_loopback()
    {
        Socket listener;
        try
        {
            listener = new Socket(AddressFamily.InterNetworkV6, NetSocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        }
        catch (SocketException ex)
        {
            throw new SkipException($"IPv6 loopback unavailable ({ex.SocketErrorCode})");
        }

        using (listener)
        {
            listener.Listen(2);
            var entry = CollectOwn(DiagFamily.Tcp).Inet[SocketInode(listener)];
            Assert.Equal(10, entry.Family);
            Assert.True(entry.IsV6);
            Assert.Equal(10, entry.State);
            Assert.Equal("::1", entry.LocalAddress);
            Assert.Equal(((IPEndPoint)listener.LocalEndPoint!).Port, entry.LocalPort);
        }
    }

    [Fact]
    public void Udp_socket_bound_on_loopback()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, NetSocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        var table = CollectOwn(DiagFamily.Udp, DiagFamily.UdpLite);

        Assert.Empty(table.Failed);
        var entry = table.Inet[SocketInode(udp)];
        Assert.Equal(IpProtocol.Udp, entry.Protocol);
        Assert.Equal(7, entry.State);
        Assert.Equal("127.0.0.1", entry.LocalAddress);
        Assert.Equal(((IPEndPoint)udp.LocalEndPoint!).Port, entry.LocalPort);
    }

    [Fact]
    public void Netlink_sockets_show_groups_and_unread_data()
    {
        Assert.Equal(0, Netlink.Socket(Netlink.AF_NETLINK, Netlink.SOCK_RAW, Netlink.NETLINK_ROUTE, out var linkGroup));
        using var _1 = linkGroup;
        Assert.Equal(0, Netlink.Bind(linkGroup, Netlink.RTMGRP_LINK));

        Assert.Equal(0, Netlink.Socket(Netlink.AF_NETLINK, Netlink.SOCK_RAW, Netlink.NETLINK_ROUTE, out var group33));
        using var _2 = group33;
        Assert.Equal(0, Netlink.SetSocketOption(group33, Netlink.SOL_NETLINK, Netlink.NETLINK_ADD_MEMBERSHIP, 33));

        Assert.Equal(0, Netlink.Socket(Netlink.AF_NETLINK, Netlink.SOCK_RAW, Netlink.NETLINK_ROUTE, out var unread));
        using var _3 = unread;
        Assert.Equal(0, Netlink.SendToKernel(unread, GetLinkDumpRequest()));

        var table = CollectOwn(DiagFamily.Netlink);

        Assert.Empty(table.Failed);
        var link = table.Netlink[SocketInode(linkGroup)];
        Assert.Equal(Netlink.NETLINK_ROUTE, link.Protocol);
        Assert.NotEqual(0u, link.PortId);
        Assert.Equal(1u, link.Groups[0] & 1u);

        var g33 = table.Netlink[SocketInode(group33)];
        Assert.True(g33.Groups.Count >= 2);
        Assert.Equal(0u, g33.Groups[0]);
        Assert.Equal(1u, g33.Groups[1] & 1u);

        Assert.True(table.Netlink[SocketInode(unread)].ReceiveMemory > 0);
    }

    [RootFact]
    public void Packet_socket_with_a_multicast_membership()
    {
        const int ETH_P_ALL = 3;
        const int SOL_PACKET = 263;
        const int PACKET_ADD_MEMBERSHIP = 1;
        const ushort PACKET_MR_PROMISC = 1;

        ushort protocolNetworkOrder = BinaryPrimitives.ReverseEndianness((ushort)ETH_P_ALL);
        Assert.Equal(0, Netlink.Socket(Netlink.AF_PACKET, Netlink.SOCK_RAW, protocolNetworkOrder, out var packet));
        using var _ = packet;

        // struct packet_mreq { int mr_ifindex; unsigned short mr_type, mr_alen; unsigned char mr_address[8]; } on lo.
        var mreq = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(mreq, 1);
        BinaryPrimitives.WriteUInt16LittleEndian(mreq.AsSpan(4), PACKET_MR_PROMISC);
        Assert.Equal(0, Netlink.SetSocketOption(packet, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq));

        var table = CollectOwn(DiagFamily.Packet);

        Assert.Empty(table.Failed);
        var entry = table.Packet[SocketInode(packet)];
        Assert.Equal(ModelSocketType.Raw, entry.Type);
        Assert.Equal(ETH_P_ALL, entry.Protocol);
        Assert.Equal([(1, 1u)], entry.MulticastMemberships);
    }

    [Fact]
    public void Collecting_nothing_opens_nothing_and_fails_nothing()
    {
        var table = SockDiagClient.Collect(OwnNetworkNamespace(), null, []);
        Assert.Empty(table.Failed);
        Assert.Empty(table.Unix);
    }

    /// <summary>RTM_GETLINK with NLM_F_DUMP and a struct rtgenmsg (AF_UNSPEC): the kernel queues the reply at once.</summary>
    private static byte[] GetLinkDumpRequest()
    {
        var request = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(request, 20);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), Netlink.RTM_GETLINK);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP);
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), 1);
        return request;
    }
}
