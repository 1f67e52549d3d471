using Checkpointable.Interop;
using Checkpointable.Model;

namespace Checkpointable.Probes;

/// <summary>
/// Reads, from a duplicate of each socket fd of the tree (pidfd_getfd), what criu reads with the fd in hand
/// and sock_diag does not report: UDP_CORK, SO_PASSCRED/SO_PASSSEC, the remembered peer of a closed TCP
/// socket, the network namespace of a socket (SIOCGSKNS); and, for TCP and UDP, the inet_diag facts themselves (names, state, queues), so that judging one
/// tree never needs a dump of every socket of the host. Without the right to pidfd_getfd nothing is filled
/// and the collector dumps the namespace instead.
/// </summary>
public static class SocketOptionsProbe
{
    private static readonly HashSet<string> s_inet = ["TCP", "TCPv6", "UDP", "UDPv6", "UDP-Lite", "UDPLITEv6"];

    public static bool IsInet(FdEntry f) => f.SocketProtocol is { } p && s_inet.Contains(p);

    public static void Fill(Dictionary<int, ProcessSnapshot> processes)
    {
        foreach (var p in processes.Values.ToList())
        {
            if (p.Gone || !p.Fds.Any(f => f.Kind == FdKind.Socket && f.LinkInode != 0 && Wanted(f)))
            {
                continue;
            }

            int pidfd = PidFd.Open(p.Pid);
            if (pidfd < 0)
            {
                continue;
            }

            try
            {
                var fds = p.Fds.ToList();
                for (int i = 0; i < fds.Count; i++)
                {
                    var f = fds[i];
                    if (f.Kind != FdKind.Socket || f.LinkInode == 0 || !Wanted(f))
                    {
                        continue;
                    }

                    int dup = PidFd.GetFd(pidfd, f.Fd);
                    if (dup < 0)
                    {
                        continue;
                    }

                    try
                    {
                        // The fd number may have been reused meanwhile: only trust it if it is still this socket.
                        if (Libc.ReadLink($"/proc/self/fd/{dup}", out string link) == 0 && link == f.Link)
                        {
                            fds[i] = f with { SocketOptions = Read(dup, f) };
                        }
                    }
                    finally
                    {
                        PidFd.Close(dup);
                    }
                }

                processes[p.Pid] = p.WithFds(fds);
            }
            finally
            {
                PidFd.Close(pidfd);
            }
        }
    }

    /// <summary>Inet and unix sockets for their options; netlink sockets for their namespace alone (S-NLUNB).</summary>
    private static bool Wanted(FdEntry f) => IsInet(f) || f.SocketProtocol is "UNIX" or "UNIX-STREAM" or "NETLINK";

    private static SocketOptions Read(int fd, FdEntry f)
    {
        string proto = f.SocketProtocol!;
        if (proto == "NETLINK")
        {
            // An unbound netlink socket is in no netlink_diag table: criu asks its namespace (sk-netlink.c:147).
            return new SocketOptions(0, null, null, null, PidFd.SocketNamespace(fd));
        }

        bool v6 = proto.EndsWith("v6", StringComparison.Ordinal);
        if (proto is "UNIX" or "UNIX-STREAM")
        {
            int? cred = PidFd.GetInt(fd, PidFd.SOL_SOCKET, PidFd.SO_PASSCRED);
            int? sec = PidFd.GetInt(fd, PidFd.SOL_SOCKET, PidFd.SO_PASSSEC);
            bool? passCred = cred is null && sec is null ? null : (cred ?? 0) != 0 || (sec ?? 0) != 0;
            return new SocketOptions(0, null, passCred, null, PidFd.SocketNamespace(fd));
        }

        bool tcp = proto is "TCP" or "TCPv6";
        bool? corked = tcp ? null : PidFd.GetInt(fd, PidFd.SOL_UDP, PidFd.UDP_CORK) is { } c ? c != 0 : null;
        return new SocketOptions(PidFd.PeerPort(fd, v6), corked, null, InetOf(fd, f.LinkInode, v6, tcp, proto), PidFd.SocketNamespace(fd));
    }

    /// <summary>
    /// The inet_diag record for this socket, or null where diag would not list it: a TCP socket in CLOSE that is
    /// not bound-inactive is unhashed (its remembered peer is then in <see cref="SocketOptions.PeerPort"/>).
    /// </summary>
    private static InetSocket? InetOf(int fd, ulong inode, bool v6, bool tcp, string proto)
    {
        var local = PidFd.Name(fd, peer: false);
        var remote = PidFd.Name(fd, peer: true);
        var (inq, outq) = PidFd.Queues(fd);
        byte state;
        uint rqueue = (uint)Math.Max(inq, 0);
        if (tcp)
        {
            if (PidFd.TcpInfo(fd) is not { } info || info.State == 7)
            {
                return null;
            }

            state = info.State;
            if (state == 10)
            {
                rqueue = info.Unacked; // the accept queue, as idiag_rqueue reports it for listeners
            }
        }
        else
        {
            state = remote is null ? (byte)7 : (byte)1;
        }

        string any = v6 ? "::" : "0.0.0.0";
        var protocol = tcp ? IpProtocol.Tcp : proto.StartsWith("UDP-Lite", StringComparison.Ordinal) || proto == "UDPLITEv6" ? IpProtocol.UdpLite : IpProtocol.Udp;
        return new InetSocket(
            inode,
            (byte)(v6 ? 10 : 2),
            protocol,
            state,
            local?.Address.ToString() ?? any,
            local?.Port ?? 0,
            remote?.Address.ToString() ?? any,
            remote?.Port ?? 0,
            rqueue,
            (uint)Math.Max(outq, 0),
            (uint)(PidFd.GetInt(fd, PidFd.SOL_SOCKET, PidFd.SO_BINDTOIFINDEX) ?? 0));
    }
}
