using Checkpointable.Interop;
using Checkpointable.Model;

namespace Checkpointable.Probes.SockDiag;

/// <summary>
/// Collects the sockets of one network namespace through NETLINK_SOCK_DIAG, which only ever answers for the namespace
/// its socket was created in. It reads; it never ptraces, signals or changes anything it looks at.
/// </summary>
public static class SockDiagClient
{
    private const string OwnNamespacePath = "/proc/thread-self/ns/net";

    /// <summary>Dumps the requested families in the network namespace whose inode is <paramref name="netns"/>.</summary>
    /// <param name="netns">The namespace's inode (the N of net:[N]); recorded in the table and checked against <paramref name="nsPath"/>.</param>
    /// <param name="nsPath">
    /// A path such as "/proc/1234/ns/net" naming that namespace. When it is null, or the namespace is the caller's own
    /// (same inode as /proc/thread-self/ns/net), no setns is done and the calling thread's namespace is dumped.
    /// </param>
    /// <param name="families">The families to dump; each is attempted once (plus one retry of an interrupted dump).</param>
    /// <returns>
    /// Never throws. A family that could not be collected is in <see cref="SocketTable.Failed"/> with a short reason,
    /// e.g. "EPERM: setns" or "ENOENT: unix_diag not available"; what it did collect is kept.
    /// </returns>
    public static SocketTable Collect(ulong netns, string? nsPath, IReadOnlyCollection<DiagFamily> families)
    {
        var table = new SocketTable { NetNamespace = netns };
        var wanted = new List<DiagFamily>();
        try
        {
            foreach (var family in families ?? [])
            {
                if (!wanted.Contains(family))
                {
                    wanted.Add(family);
                }
            }

            if (wanted.Count == 0)
            {
                return table;
            }

            var connection = Connect(netns, nsPath, out string? failure);
            if (connection is null)
            {
                foreach (var family in wanted)
                {
                    table.Failed[family] = failure ?? "socket(NETLINK_SOCK_DIAG) failed";
                }

                return table;
            }

            using (connection)
            {
                Collect(connection, wanted, table);
            }
        }
        catch (Exception ex)
        {
            // Last line of defence for the "throws nothing" contract (OutOfMemory, a thread that could not start, a bug).
            foreach (var family in wanted)
            {
                table.Failed.TryAdd(family, $"internal error: {ex.GetType().Name}");
            }
        }

        return table;
    }

    /// <summary>
    /// One exact lookup walks every unix socket of the namespace in the kernel (net/unix/diag.c unix_lookup_by_ino
    /// scans the whole hash table), so n lookups cost n × the host's sockets: past this many, one dump is cheaper
    /// (a tree of 20,000 sockets took 20 s by lookups, 0.3 s by a dump).
    /// </summary>
    internal const int ExactLookupLimit = 128;

    /// <summary>
    /// Looks up the given unix sockets one by one (and the peers they name, for their names), instead of dumping
    /// every unix socket of the namespace: the cost then follows the tree, not the host. Falls back to the full
    /// dump when the kernel refuses exact lookups, and when the tree has more than <see cref="ExactLookupLimit"/>
    /// sockets to look up. Never throws.
    /// </summary>
    public static void CollectUnix(SocketTable table, string? nsPath, IReadOnlyCollection<ulong> inodes)
    {
        try
        {
            var connection = Connect(table.NetNamespace, nsPath, out string? failure);
            if (connection is null)
            {
                table.Failed[DiagFamily.Unix] = failure ?? "socket(NETLINK_SOCK_DIAG) failed";
                return;
            }

            using (connection)
            {
                var pending = new Queue<ulong>(inodes);
                var asked = new HashSet<ulong>(inodes);
                while (pending.Count > 0)
                {
                    if (asked.Count > ExactLookupLimit)
                    {
                        table.Unix.Clear();
                        Collect(connection, [DiagFamily.Unix], table);
                        return;
                    }

                    ulong inode = pending.Dequeue();
                    if (inode > uint.MaxValue)
                    {
                        continue;
                    }

                    var outcome = connection.Dump(
                        DiagRequests.UnixByInode((uint)inode),
                        default,
                        payload =>
                        {
                            if (!UnixDiagParser.TryParse(payload, out var socket))
                            {
                                return false;
                            }

                            table.Unix[socket.Inode] = socket;
                            if (socket.Peer != 0 && asked.Add(socket.Peer))
                            {
                                pending.Enqueue(socket.Peer);
                            }

                            return true;
                        },
                        dump: false);
                    if (outcome.Errno is Netlink.ENOENT)
                    {
                        continue; // gone, or in another namespace: the rules treat it as not found
                    }

                    if (!outcome.Succeeded)
                    {
                        table.Unix.Clear();
                        Collect(connection, [DiagFamily.Unix], table);
                        return;
                    }
                }

                // A connected stream socket without a peer may wait in some listener's accept queue: only a dump
                // shows which (the listener lists it in UNIX_DIAG_ICONS).
                if (table.Unix.Values.Any(u => u.State == 1 && u.Peer == 0 && u.Type != SocketType.Datagram && u.Shutdown != 3))
                {
                    table.Unix.Clear();
                    Collect(connection, [DiagFamily.Unix], table);
                }
            }
        }
        catch (Exception ex)
        {
            table.Failed.TryAdd(DiagFamily.Unix, $"internal error: {ex.GetType().Name}");
        }
    }

    /// <summary>Runs the dumps of <paramref name="families"/> over an open connection into <paramref name="table"/>.</summary>
    internal static void Collect(NetlinkConnection connection, IEnumerable<DiagFamily> families, SocketTable table)
    {
        var addresses = new AddressTextCache();
        foreach (var family in families)
        {
            string? failure;
            try
            {
                failure = DumpFamily(connection, family, table, addresses);
            }
            catch (Exception ex)
            {
                failure = $"internal error: {ex.GetType().Name}";
            }

            if (failure is not null)
            {
                table.Failed[family] = failure;
            }
        }
    }

    private static string? DumpFamily(NetlinkConnection connection, DiagFamily family, SocketTable table, AddressTextCache addresses)
    {
        switch (family)
        {
            case DiagFamily.Unix:
                return DumpOne(
                    connection,
                    family,
                    DiagRequests.Unix(),
                    payload =>
                    {
                        if (!UnixDiagParser.TryParse(payload, out var socket))
                        {
                            return false;
                        }

                        table.Unix[socket.Inode] = socket;
                        return true;
                    },
                    table.Unix.Clear);
            case DiagFamily.Tcp:
                return DumpInet(connection, family, IpProtocol.Tcp, Netlink.IPPROTO_TCP, table, addresses);
            case DiagFamily.Udp:
                return DumpInet(connection, family, IpProtocol.Udp, Netlink.IPPROTO_UDP, table, addresses);
            case DiagFamily.UdpLite:
                return DumpInet(connection, family, IpProtocol.UdpLite, Netlink.IPPROTO_UDPLITE, table, addresses);
            case DiagFamily.Raw:
                return DumpInet(connection, family, IpProtocol.Raw, Netlink.IPPROTO_RAW, table, addresses);
            case DiagFamily.Netlink:
                return DumpOne(
                    connection,
                    family,
                    DiagRequests.NetlinkSockets(),
                    payload =>
                    {
                        if (!NetlinkDiagParser.TryParse(payload, out var socket))
                        {
                            return false;
                        }

                        table.Netlink[socket.Inode] = socket;
                        return true;
                    },
                    table.Netlink.Clear);
            case DiagFamily.Packet:
                return DumpOne(
                    connection,
                    family,
                    DiagRequests.Packet(),
                    payload =>
                    {
                        if (!PacketDiagParser.TryParse(payload, out var socket))
                        {
                            return false;
                        }

                        table.Packet[socket.Inode] = socket;
                        return true;
                    },
                    table.Packet.Clear);
            default:
                return $"EINVAL: unknown family {family}";
        }
    }

    /// <summary>One inet protocol for AF_INET then AF_INET6; the first failure is the family's reason.</summary>
    private static string? DumpInet(
        NetlinkConnection connection, DiagFamily family, IpProtocol protocol, byte ipProtocol, SocketTable table, AddressTextCache addresses)
    {
        Span<byte> attributeBuffer = stackalloc byte[8];
        var attributes = protocol == IpProtocol.Raw ? DiagRequests.ProtocolAttribute(ipProtocol, attributeBuffer) : default;
        string? failure = null;
        foreach (byte addressFamily in (ReadOnlySpan<byte>)[Netlink.AF_INET, Netlink.AF_INET6])
        {
            var outcome = Dump(
                connection,
                DiagRequests.Inet(addressFamily, ipProtocol),
                attributes,
                payload =>
                {
                    if (!InetDiagParser.TryParse(payload, protocol, addresses, out var socket))
                    {
                        return false;
                    }

                    // TIME_WAIT, NEW_SYN_RECV and accepted-queue children have no socket inode: no fd can name them.
                    if (socket.Inode != 0)
                    {
                        table.Inet[socket.Inode] = socket;
                    }

                    return true;
                },
                () =>
                {
                    foreach (var (inode, socket) in table.Inet)
                    {
                        if (socket.Family == addressFamily && socket.Protocol == protocol)
                        {
                            table.Inet.Remove(inode); // allowed while enumerating a Dictionary (.NET Core 3.0+)
                        }
                    }
                });
            if (!outcome.Succeeded)
            {
                failure ??= DiagFailure.Describe(family, outcome);
                if (outcome.Unsupported)
                {
                    break; // the handler is missing for the protocol, not for one address family
                }
            }
        }

        return failure;
    }

    /// <summary>
    /// One dump; when it reports NLM_F_DUMP_INTR (the kernel's table changed under the walk, so entries may be missing
    /// or doubled) the entries it produced are dropped through <paramref name="reset"/> and it runs once more, whose
    /// result is kept whatever it says.
    /// </summary>
    private static DumpOutcome Dump<TRequest>(
        NetlinkConnection connection, in TRequest request, ReadOnlySpan<byte> attributes, PayloadHandler handler, Action reset)
        where TRequest : unmanaged
    {
        var outcome = connection.Dump(in request, attributes, handler);
        if (outcome.Succeeded && outcome.Interrupted)
        {
            reset();
            outcome = connection.Dump(in request, attributes, handler);
        }

        return outcome;
    }

    /// <summary>The dump of a family that takes a single request: null on success, else the reason.</summary>
    private static string? DumpOne<TRequest>(
        NetlinkConnection connection, DiagFamily family, in TRequest request, PayloadHandler handler, Action reset)
        where TRequest : unmanaged
    {
        var outcome = Dump(connection, in request, default, handler, reset);
        return outcome.Succeeded ? null : DiagFailure.Describe(family, outcome);
    }

    /// <summary>Opens the sock_diag socket in the right namespace, or says why not.</summary>
    internal static NetlinkConnection? Connect(ulong netns, string? nsPath, out string? failure, int protocol = Netlink.NETLINK_SOCK_DIAG)
    {
        failure = null;
        Netlink.SafeFd? fd;
        if (nsPath is null || (Netlink.InodeOf(OwnNamespacePath, out ulong own) == 0 && own == netns))
        {
            int errno = SocketChannel.CreateSocket(out fd, protocol);
            if (errno != 0)
            {
                failure = $"{DiagFailure.ErrnoName(errno)}: socket(NETLINK_SOCK_DIAG)";
                return null;
            }
        }
        else
        {
            fd = CreateSocketInNamespace(netns, nsPath, protocol, out failure);
            if (fd is null)
            {
                return null;
            }
        }

        return new NetlinkConnection(new SocketChannel(fd));
    }

    /// <summary>
    /// setns(2) moves only the calling thread, so it happens on a new thread made for it: enter the target namespace,
    /// create the socket (a socket stays bound to the namespace it was created in), and go back before doing anything
    /// else. The dumps then run on the caller's thread. The thread ends right after, so even if going back failed no
    /// other code ever runs in the wrong namespace on it.
    /// </summary>
    private static Netlink.SafeFd? CreateSocketInNamespace(ulong netns, string nsPath, int protocol, out string? failure)
    {
        Netlink.SafeFd? socket = null;
        string? reason = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    socket = EnterCreateReturn(netns, nsPath, protocol, out reason);
                }
                catch (Exception ex)
                {
                    reason = $"internal error: {ex.GetType().Name}";
                }
            },
            maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "sockdiag setns",
        };
        thread.Start();
        thread.Join();
        failure = socket is null ? reason ?? "setns thread failed" : null;
        return socket;
    }

    private static Netlink.SafeFd? EnterCreateReturn(ulong netns, string nsPath, int protocol, out string? failure)
    {
        int errno = Netlink.Open(nsPath, out var target);
        if (errno != 0)
        {
            failure = $"{DiagFailure.ErrnoName(errno)}: open {nsPath}";
            return null;
        }

        using (target)
        {
            // The path may now name another namespace (the process exited and its pid was reused): check the fd we hold.
            errno = Netlink.InodeOf(target, out ulong inode);
            if (errno != 0 || inode != netns)
            {
                failure = errno != 0
                    ? $"{DiagFailure.ErrnoName(errno)}: statx {nsPath}"
                    : $"ESTALE: {nsPath} is net:[{inode}], not net:[{netns}]";
                return null;
            }

            errno = Netlink.Open(OwnNamespacePath, out var own);
            if (errno != 0)
            {
                failure = $"{DiagFailure.ErrnoName(errno)}: open {OwnNamespacePath}";
                return null;
            }

            using (own)
            {
                errno = Netlink.SetNetworkNamespace(target);
                if (errno != 0)
                {
                    failure = $"{DiagFailure.ErrnoName(errno)}: setns";
                    return null;
                }

                int socketErrno = SocketChannel.CreateSocket(out var socket, protocol);
                _ = Netlink.SetNetworkNamespace(own); // if this fails the thread is stranded, but it is about to end
                if (socketErrno != 0)
                {
                    failure = $"{DiagFailure.ErrnoName(socketErrno)}: socket(NETLINK_SOCK_DIAG)";
                    return null;
                }

                failure = null;
                return socket;
            }
        }
    }
}
