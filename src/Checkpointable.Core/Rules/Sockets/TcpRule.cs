using Checkpointable.Model;

namespace Checkpointable.Rules.Sockets;

/// <summary>
/// §6.2 (sk-inet.c can_dump_inet_sk, sk-tcp.c dump_one_tcp): connected TCP needs --tcp-established (or
/// --tcp-close); a listener with an accept queue needs --skip-in-flight; every TCP socket that remembers a
/// peer, even a closed one, is saved through TCP repair, which in the host network namespace locks the
/// connection with iptables unless --tcp-close (I3); an IPv6 link-local bind without a device is refused (I6).
/// </summary>
public sealed class TcpRule : IRule
{
    private static readonly string[] s_stateNames =
    [
        "?", "ESTABLISHED", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSE", "CLOSE-WAIT",
        "LAST-ACK", "LISTEN", "CLOSING", "NEW-SYN-RECV", "BOUND-INACTIVE",
    ];

    public string Name => nameof(TcpRule);

    public static string StateName(byte state) => state < s_stateNames.Length ? s_stateNames[state] : state.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void Evaluate(RuleContext c)
    {
        foreach (var s in SocketRef.InTree(c))
        {
            if (s.Inet is { Protocol: IpProtocol.Tcp } tcp)
            {
                Check(c, s, tcp);
            }
            else if (s.Inet is null && s.Fd.SocketProtocol is "TCP" or "TCPv6" && s.Fd.SocketOptions is { PeerPort: > 0 } o)
            {
                // Closed and unhashed, so sock_diag omits it, yet SO_PEERNAME still reports the old peer:
                // criu's gen_uncon_sk then takes the TCP repair path (sk-tcp.c dump_one_tcp).
                bool v6 = s.Fd.SocketProtocol == "TCPv6";
                var closed = new InetSocket(s.Inode, (byte)(v6 ? 10 : 2), IpProtocol.Tcp, 7, v6 ? "::" : "0.0.0.0", 0, v6 ? "::" : "0.0.0.0", o.PeerPort, 0, 0, 0);
                LockCheck(c, s, closed, $"(closed, peer port {o.PeerPort})");
            }
        }
    }

    private static void Check(RuleContext c, SocketRef s, InetSocket t)
    {
        var p = s.Process;
        string conn = t.RemotePort != 0 ? $"{t.Local} -> {t.Remote}" : t.Local;
        string peer = PeerPlace(c, t);
        bool ownNet = c.RootHasOwn(NamespaceKind.Net);

        switch (t.State)
        {
            case 10 when t.ReceiveQueue > 0:
                c.Report("I4", Subsystem.Sockets, p, s.Resource,
                    $"TCP listener {t.Local} has {t.ReceiveQueue} connection(s) not yet accepted",
                    "In-flight connection (l) for %x (criu/sk-inet.c:185)",
                    lift: ["--skip-in-flight"], liftedNow: c.Options.SkipInFlight, fd: s.Fd.Fd, isVolatile: true);
                return;
            case 1 or 2 or 4 or 5 or 8 or 9 or 11:
                var lockLift = ownNet ? [] : c.NetworkLockLift(perConnection: true, t.IsV6 && !IsMapped(t));
                bool allowed = c.Options.TcpEstablished || c.Options.TcpClose;
                c.Report("I2", Subsystem.Sockets, p, s.Resource,
                    $"TCP connection {conn} in state {StateName(t.State)}{peer}",
                    "Connected TCP socket, consider using --tcp-established option. (criu/sk-inet.c:200)",
                    lift: ["--tcp-established", .. lockLift], liftedNow: allowed, fd: s.Fd.Fd, isVolatile: t.State != 1);
                if (allowed)
                {
                    LockCheck(c, s, t, conn);
                }

                return;
            case 7 when t.RemotePort != 0:
                LockCheck(c, s, t, conn);
                return;
        }

        if (t.IsV6 && t.LocalPort != 0 && NeedsScope(t.LocalAddress) && t.InterfaceIndex == 0)
        {
            c.Report("I6", Subsystem.Sockets, p, s.Resource, $"IPv6 socket bound to scoped address {t.Local} without SO_BINDTODEVICE",
                "couldn't find ifname for %d, can't bind (criu/sk-inet.c:566)", fd: s.Fd.Fd);
        }
    }

    /// <summary>dump_one_tcp: a socket with a peer goes through repair; in the host netns that locks it with iptables (unless --tcp-close).</summary>
    private static void LockCheck(RuleContext c, SocketRef s, InetSocket t, string conn)
    {
        if (c.Options.TcpClose || c.RootHasOwn(NamespaceKind.Net))
        {
            return;
        }

        bool v6 = t.IsV6 && !IsMapped(t);
        if (!c.NetworkLockWorks(perConnection: true, v6))
        {
            string tool = c.Options.NetworkLock == Options.NetworkLockMethod.Nftables ? "nftables, which this criu was built without" : v6 ? "ip6tables, which is not installed" : "iptables, which is not installed";
            string what = t.State == 7 ? $"closed TCP socket {conn} still remembers its peer, so criu restores it through TCP repair and" : $"TCP connection {conn}: criu";
            c.Report("I3", Subsystem.Sockets, s.Process, s.Resource,
                $"{what} locks it with {tool}",
                "Failed to lock TCP connection %x (criu/sk-tcp.c:81)",
                lift: [c.NetworkLockRemedy], fd: s.Fd.Fd);
        }
    }

    private static bool IsMapped(InetSocket t) => t.RemoteAddress.StartsWith("::ffff:", StringComparison.Ordinal);

    private static bool NeedsScope(string address) =>
        address.StartsWith("fe8", StringComparison.OrdinalIgnoreCase) || address.StartsWith("fe9", StringComparison.OrdinalIgnoreCase)
        || address.StartsWith("fea", StringComparison.OrdinalIgnoreCase) || address.StartsWith("feb", StringComparison.OrdinalIgnoreCase)
        || (address.StartsWith("ff", StringComparison.OrdinalIgnoreCase) && address.Length > 3 && address[3] is '1' or '2');

    private static string PeerPlace(RuleContext c, InetSocket t)
    {
        if (t.RemotePort == 0)
        {
            return string.Empty;
        }

        return c.Snapshot.SocketIndex.PeerOf(t) is { } peer && c.TreeSocketInodes.Contains(peer.Inode)
            ? ", peer inside the tree"
            : ", peer outside the tree";
    }
}
