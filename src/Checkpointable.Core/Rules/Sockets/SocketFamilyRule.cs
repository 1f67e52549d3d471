using Checkpointable.Model;

namespace Checkpointable.Rules.Sockets;

/// <summary>
/// S-FAM, S-PROTO, S1 (sockets.c, sk-inet.c): sockets sock_diag does not describe. The protocol comes from
/// getxattr(system.sockprotoname): families criu cannot dump (vsock, XDP, ALG, …) and IP protocols it
/// cannot dump (MPTCP, SCTP, DCCP) are refused; a TCP or unix socket that lives in a network namespace no
/// tree task is in (S1) is refused (one of another namespace of the tree is found there: SocketRef);
/// unconnected UDP/TCP/raw sockets, which diag may omit, are fine, and so are unbound netlink sockets
/// unless they belong to a namespace criu does not know (S-NLUNB).
/// </summary>
public sealed class SocketFamilyRule : IRule
{
    public string Name => nameof(SocketFamilyRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var s in SocketRef.InTree(c))
        {
            if (s.Found)
            {
                continue;
            }

            string? proto = s.Fd.SocketProtocol;
            var p = s.Process;
            switch (proto)
            {
                case null:
                    c.Report("S0", Subsystem.Sockets, p, s.Resource, $"{s.Fd.Link}: neither sock_diag nor its protocol name could be read",
                        fd: s.Fd.Fd, severity: Severity.Unknown);
                    break;
                case "MPTCP" or "MPTCPv6" or "SCTP" or "SCTPv6" or "DCCP" or "DCCPv6" or "SMC":
                    c.Report("S-PROTO", Subsystem.Sockets, p, s.Resource,
                        $"{proto} socket: criu dumps only TCP, UDP, UDP-Lite, ICMP and raw IP sockets{(proto.StartsWith("MPTCP", StringComparison.Ordinal) ? " (Go >= 1.24 uses MPTCP by default: GODEBUG=multipathtcp=0)" : string.Empty)}",
                        "Unsupported proto %d for socket %x (criu/sk-inet.c:137)", fd: s.Fd.Fd);
                    break;
                case "UNIX" or "UNIX-STREAM":
                    Missing(c, s, DiagFamily.Unix, "Unix socket %d not found (criu/sk-unix.c:351)");
                    break;
                case "TCP" or "TCPv6":
                    // Not in the TCP table: unbound or closed, which criu re-creates (gen_uncon_sk),
                    // unless it is connected in another namespace (S1).
                    if (s.Fd.SocketOptions is { Inet: { } live, NetNamespace: { } own } && own != p.Namespaces[NamespaceKind.Net])
                    {
                        c.Report("S1", Subsystem.Sockets, p, s.Resource,
                            $"TCP socket {s.Inode} ({TcpRule.StateName(live.State)}) belongs to network namespace {own}, which no tree task is in: criu finds it in no table and expects it closed",
                            "Socket state %d obtained but expected %d (criu/sk-inet.c:322)", fd: s.Fd.Fd);
                    }
                    else if (FoundElsewhere(c, s) is { } other)
                    {
                        c.Report("S1", Subsystem.Sockets, p, s.Resource, $"TCP socket {s.Inode} belongs to network namespace {other}, which no tree task is in",
                            "Socket state %d obtained but expected %d (criu/sk-inet.c:322)", fd: s.Fd.Fd);
                    }
                    else
                    {
                        Missing(c, s, DiagFamily.Tcp, null);
                    }

                    break;
                case "UDP" or "UDPv6" or "UDP-Lite" or "UDPLITEv6" or "RAW" or "RAWv6" or "PING" or "PINGv6":
                    break; // unconnected: criu re-creates it
                case "NETLINK":
                    Unbound(c, s);
                    break;
                case "PACKET":
                    Missing(c, s, DiagFamily.Packet, "Can't find packet socket %lu (criu/sk-packet.c:160)");
                    break;
                default:
                    c.Report("S-FAM", Subsystem.Sockets, p, s.Resource, $"{proto} socket: criu cannot dump this socket family",
                        "BUG! Unknown socket collected (family %d) (criu/sockets.c:767)", fd: s.Fd.Fd);
                    break;
            }
        }
    }

    /// <summary>
    /// S-NLUNB: a netlink socket no table of the tree lists is neither bound nor connected (netlink_diag lists
    /// only bound sockets and those in multicast groups), and criu dumps it as "unconnected and unbound" with its
    /// protocol from SO_PROTOCOL, whatever the protocol (sk-netlink.c:144-160). Only when criu dumps the root's
    /// own network namespace does it ask the socket's namespace (SIOCGSKNS), and it refuses one it does not know:
    /// neither a namespace of the tree nor its own (net.c:3694-3722). Where the netlink dump itself failed criu
    /// refuses every netlink socket ("not collected", sockets.c:448): unknown.
    /// </summary>
    private static void Unbound(RuleContext c, SocketRef s)
    {
        if (s.Table is null || s.Table.Failed.ContainsKey(DiagFamily.Netlink))
        {
            Missing(c, s, DiagFamily.Netlink, null);
            return;
        }

        if (!c.RootHasOwn(NamespaceKind.Net))
        {
            return;
        }

        if (s.Fd.SocketOptions?.NetNamespace is not { } ns)
        {
            c.Report("S-NLUNB", Subsystem.Sockets, s.Process, s.Resource,
                $"unbound netlink socket {s.Inode}: criu refuses it if it belongs to a network namespace neither of the tree nor criu's, and its namespace could not be read (pidfd_getfd)",
                "Unable to dump a socket from an external network namespace (criu/net.c:3718)", fd: s.Fd.Fd, severity: Severity.Unknown);
            return;
        }

        if (ns != c.Host.CheckerNamespaces[NamespaceKind.Net] && !c.Processes.Any(p => p.Namespaces[NamespaceKind.Net] == ns))
        {
            c.Report("S-NLUNB", Subsystem.Sockets, s.Process, s.Resource,
                $"unbound netlink socket {s.Inode} belongs to network namespace {ns}, neither one of the tree's nor criu's",
                "Unable to dump a socket from an external network namespace (criu/net.c:3718)", fd: s.Fd.Fd);
        }
    }

    /// <summary>The family's dump failed: unknown; it worked but the socket is not there: criu fails the same way.</summary>
    private static void Missing(RuleContext c, SocketRef s, DiagFamily family, string? message)
    {
        if (s.Table is null || s.Table.Failed.TryGetValue(family, out _))
        {
            string why = s.Table?.Failed.GetValueOrDefault(family) ?? "network namespace not inspected";
            c.Report("S3", Subsystem.Sockets, s.Process, s.Resource, $"{s.Fd.Link}: sock_diag for {family} sockets failed ({why})",
                fd: s.Fd.Fd, severity: Severity.Unknown);
            return;
        }

        if (message is null)
        {
            return;
        }

        string where = FoundElsewhere(c, s) is { } other ? $"belongs to network namespace {other}, which no tree task is in" : "is not in its network namespace's sock_diag tables";
        c.Report("S1", Subsystem.Sockets, s.Process, s.Resource, $"{family} socket {s.Inode} {where}", message, fd: s.Fd.Fd);
    }

    private static ulong? FoundElsewhere(RuleContext c, SocketRef s)
    {
        foreach (var (ns, table) in c.Snapshot.Sockets)
        {
            if (table != s.Table && (table.Unix.ContainsKey(s.Inode) || table.Inet.ContainsKey(s.Inode)))
            {
                return ns;
            }
        }

        return null;
    }
}
