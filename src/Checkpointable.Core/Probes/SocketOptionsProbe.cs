using Checkpointable.Interop;
using Checkpointable.Model;

namespace Checkpointable.Probes;

/// <summary>
/// Reads the few socket options criu checks and sock_diag does not report, for the sockets whose verdict
/// depends on them: TCP sockets missing from the diag tables (closed ones keep their peer), every UDP socket
/// (UDP_CORK), and unix sockets with queued data (SO_PASSCRED/SO_PASSSEC). Without the right to pidfd_getfd
/// the rules fall back to their proxies.
/// </summary>
public static class SocketOptionsProbe
{
    public static void Fill(Dictionary<int, ProcessSnapshot> processes, IReadOnlyDictionary<ulong, SocketTable> tables)
    {
        foreach (var p in processes.Values.ToList())
        {
            if (p.Gone || p.Fds.Count == 0)
            {
                continue;
            }

            var table = tables.GetValueOrDefault(p.Namespaces[NamespaceKind.Net]);
            var wanted = p.Fds.Where(f => f.Kind == FdKind.Socket && Wants(f, table)).ToList();
            if (wanted.Count == 0)
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
                    if (!wanted.Contains(fds[i]))
                    {
                        continue;
                    }

                    int dup = PidFd.GetFd(pidfd, fds[i].Fd);
                    if (dup < 0)
                    {
                        continue;
                    }

                    try
                    {
                        // The fd number may have been reused meanwhile: only trust it if it is still this socket.
                        if (Libc.ReadLink($"/proc/self/fd/{dup}", out string link) == 0 && link == fds[i].Link)
                        {
                            fds[i] = fds[i] with { SocketOptions = Read(dup, fds[i]) };
                        }
                    }
                    finally
                    {
                        PidFd.Close(dup);
                    }
                }

                processes[p.Pid] = Rebuild(p, fds);
            }
            finally
            {
                PidFd.Close(pidfd);
            }
        }
    }

    private static bool Wants(FdEntry f, SocketTable? table)
    {
        ulong ino = f.LinkInode;
        return f.SocketProtocol switch
        {
            "TCP" or "TCPv6" => table is null || !table.Inet.ContainsKey(ino),
            "UDP" or "UDPv6" or "UDP-Lite" or "UDPLITEv6" => true,
            "UNIX" or "UNIX-STREAM" => table?.Unix.GetValueOrDefault(ino) is { ReceiveQueue: > 0, State: not 10 },
            _ => false,
        };
    }

    private static SocketOptions Read(int fd, FdEntry f)
    {
        bool udp = f.SocketProtocol is "UDP" or "UDPv6" or "UDP-Lite" or "UDPLITEv6";
        bool unix = f.SocketProtocol is "UNIX" or "UNIX-STREAM";
        bool? corked = udp ? PidFd.GetInt(fd, PidFd.SOL_UDP, PidFd.UDP_CORK) is { } c ? c != 0 : null : null;
        bool? passCred = null;
        if (unix)
        {
            int? cred = PidFd.GetInt(fd, PidFd.SOL_SOCKET, PidFd.SO_PASSCRED);
            int? sec = PidFd.GetInt(fd, PidFd.SOL_SOCKET, PidFd.SO_PASSSEC);
            passCred = cred is null && sec is null ? null : (cred ?? 0) != 0 || (sec ?? 0) != 0;
        }

        return new SocketOptions(unix ? (ushort)0 : PidFd.PeerPort(fd, f.SocketProtocol is "TCPv6" or "UDPv6" or "UDPLITEv6"), corked, passCred);
    }

    private static ProcessSnapshot Rebuild(ProcessSnapshot p, List<FdEntry> fds) => new()
    {
        Pid = p.Pid,
        Stat = p.Stat,
        Status = p.Status,
        Threads = p.Threads,
        Children = p.Children,
        Namespaces = p.Namespaces,
        Fds = fds,
        Mappings = p.Mappings,
        Exe = p.Exe,
        Cwd = p.Cwd,
        Root = p.Root,
        SpecialFileMounts = p.SpecialFileMounts,
        Wchan = p.Wchan,
        UidMap = p.UidMap,
        GidMap = p.GidMap,
        Gone = p.Gone,
        Errors = p.Errors,
    };
}
