using Checkpointable.Interop;
using Checkpointable.Model;
using Checkpointable.Probes;
using Checkpointable.Probes.SockDiag;

namespace Checkpointable.Watch;

/// <summary>
/// The next host snapshot from the previous one and the processes read again, at a cost that follows what
/// changed: sockets the changed processes hold and the tables lack are looked up (unix by inode, other
/// families by a dump of that family only), mount tables of their namespaces re-read, sharing (kcmp) checked
/// against their parents. Everything else is carried over; the periodic full scan refreshes it all.
/// </summary>
internal static class HostSnapshot
{
    public static Snapshot Update(Snapshot previous, Dictionary<int, ProcessSnapshot> processes, IReadOnlyCollection<int> changed)
    {
        var live = changed.Select(p => processes.GetValueOrDefault(p)).OfType<ProcessSnapshot>()
            .Where(p => !p.Gone && p.Stat is { IsKernelThread: false }).ToList();
        var sockets = new Dictionary<ulong, SocketTable>(previous.Sockets);
        var mounts = new Dictionary<ulong, MountTable>(previous.Mounts);
        var devices = new Dictionary<ulong, (IReadOnlyList<NetDevice>?, string?)>(previous.NetDevices);
        var host = previous.Host;
        bool socketsChanged = false;

        foreach (var group in live.Where(p => p.Namespaces[NamespaceKind.Net] != 0).GroupBy(p => p.Namespaces[NamespaceKind.Net]))
        {
            string? path = group.Key == host.CheckerNamespaces[NamespaceKind.Net] ? null : $"/proc/{group.First().Pid}/ns/net";
            if (!sockets.TryGetValue(group.Key, out var table))
            {
                sockets[group.Key] = SockDiagClient.Collect(group.Key, path, Enum.GetValues<DiagFamily>());
                socketsChanged = true;
                if (path is not null)
                {
                    var list = NetDeviceLister.List(group.Key, path, out string? failure);
                    devices[group.Key] = (list, failure);
                }

                continue;
            }

            socketsChanged |= LookUpMissing(table, path, group, processes);
        }

        MountTables.Read(live, host, mounts);

        var alive = processes.Values.Where(p => !p.Gone).Select(p => p.Pid).ToHashSet();
        return new Snapshot
        {
            Host = host,
            Processes = processes,
            Sockets = sockets,
            Mounts = mounts,
            NetDevices = devices,
            TtySessions = Collector.TtySessions(processes.Values, live, mounts, hostWide: true),
            SharedVm = Sharing(previous.SharedVm, alive, live, Libc.KCMP_VM),
            SharedFs = Sharing(previous.SharedFs, alive, live, Libc.KCMP_FS),
            SharingCheckError = previous.SharingCheckError,
            CarriedSocketIndex = socketsChanged ? null : previous.SocketIndex,
        };
    }

    /// <summary>Sockets of the changed processes that the table lacks: their protocol names, then a lookup per family.</summary>
    /// <returns>Whether the table gained sockets (the index across tables must then be built again).</returns>
    private static bool LookUpMissing(SocketTable table, string? path, IEnumerable<ProcessSnapshot> group, Dictionary<int, ProcessSnapshot> processes)
    {
        var unix = new List<ulong>();
        var families = new HashSet<DiagFamily>();
        var inetHolders = new Dictionary<int, ProcessSnapshot>();
        foreach (var p in group)
        {
            List<FdEntry>? fds = null;
            for (int i = 0; i < p.Fds.Count; i++)
            {
                var f = p.Fds[i];
                ulong ino = f.LinkInode;
                if (f.Kind != FdKind.Socket || ino == 0
                    || table.Unix.ContainsKey(ino) || table.Inet.ContainsKey(ino) || table.Netlink.ContainsKey(ino) || table.Packet.ContainsKey(ino))
                {
                    continue;
                }

                string? proto = f.SocketProtocol;
                if (proto is null && Libc.GetXattr($"/proc/{p.Pid}/fd/{f.Fd}", "system.sockprotoname", out string named) == 0)
                {
                    proto = named;
                    fds ??= [.. p.Fds];
                    fds[i] = f with { SocketProtocol = proto };
                }

                switch (DiagFamilies.Of(proto))
                {
                    case DiagFamily.Unix:
                        unix.Add(ino);
                        break;
                    case DiagFamily.Tcp or DiagFamily.Udp:
                        inetHolders[p.Pid] = p; // read from the socket itself below: no dump of every TCP socket
                        break;
                    case { } family:
                        families.Add(family);
                        break;
                    default:
                        break; // a family no dump describes: the rules judge it by its name
                }
            }

            if (fds is not null)
            {
                processes[p.Pid] = p.WithFds(fds);
                if (inetHolders.ContainsKey(p.Pid))
                {
                    inetHolders[p.Pid] = processes[p.Pid];
                }
            }
        }

        // The TCP and UDP sockets themselves (a duplicate by pidfd_getfd, as one tree is read), then a dump of
        // a family only for what could not be read that way. The processes keep their entries without options.
        bool added = false;
        if (inetHolders.Count > 0)
        {
            SocketOptionsProbe.Fill(inetHolders);
            foreach (var f in inetHolders.Values.SelectMany(p => p.Fds).Where(SocketOptionsProbe.IsInet))
            {
                if (table.Inet.ContainsKey(f.LinkInode))
                {
                    continue;
                }

                if (f.SocketOptions?.Inet is { } record && (f.SocketOptions.NetNamespace ?? table.NetNamespace) == table.NetNamespace)
                {
                    table.Inet[record.Inode] = record;
                    added = true;
                }
                else
                {
                    families.Add(f.SocketProtocol!.StartsWith("TCP", StringComparison.Ordinal) ? DiagFamily.Tcp : DiagFamily.Udp);
                }
            }
        }

        if (unix.Count > 0)
        {
            SockDiagClient.CollectUnix(table, path, unix);
            added = true;
        }

        if (families.Count > 0)
        {
            added = true;
            var fresh = SockDiagClient.Collect(table.NetNamespace, path, families);
            Merge(fresh.Inet, table.Inet);
            Merge(fresh.Netlink, table.Netlink);
            Merge(fresh.Packet, table.Packet);
            foreach (var (family, reason) in fresh.Failed)
            {
                table.Failed[family] = reason;
            }
        }

        return added;
    }

    private static void Merge<T>(Dictionary<ulong, T> from, Dictionary<ulong, T> into)
    {
        foreach (var (ino, s) in from)
        {
            into[ino] = s;
        }
    }

    /// <summary>The previous groups without the exited, plus each changed process that shares with its parent.</summary>
    private static List<IReadOnlyList<int>> Sharing(IReadOnlyList<IReadOnlyList<int>> previous, HashSet<int> alive, List<ProcessSnapshot> changed, int type)
    {
        var groups = previous.Select(g => g.Where(alive.Contains).ToList()).Where(g => g.Count > 1).ToList();
        foreach (var p in changed.Where(p => !p.IsZombie))
        {
            int parent = p.Stat!.ParentPid;
            if (parent <= 1 || !alive.Contains(parent) || groups.Any(g => g.Contains(p.Pid)) || Libc.Kcmp(p.Pid, parent, type) != 0)
            {
                continue;
            }

            if (groups.FirstOrDefault(g => g.Contains(parent)) is { } existing)
            {
                existing.Add(p.Pid);
            }
            else
            {
                groups.Add([parent, p.Pid]);
            }
        }

        return groups.Cast<IReadOnlyList<int>>().ToList();
    }
}
