using Checkpointable.Interop;
using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;
using Checkpointable.Probes.SockDiag;

namespace Checkpointable.Probes;

/// <summary>Builds a <see cref="Snapshot"/> of one tree or of the whole host. Never throws for one bad process.</summary>
public static class Collector
{
    private static readonly DiagFamily[] s_allFamilies = Enum.GetValues<DiagFamily>();

    /// <summary>/proc/P/stat states of a task criu takes as dead (TASK_DEAD: no namespace ids, cr-dump.c:705).</summary>
    private const char ZombieState = 'Z';

    private const char DeadState = 'X';

    /// <summary>The tree criu would dump: root and every descendant through the children of every thread.</summary>
    public static Snapshot CollectTree(int root, HostFacts host, ProbeSettings? settings = null)
    {
        settings ??= new ProbeSettings();
        var processes = new Dictionary<int, ProcessSnapshot>();
        var queue = new Queue<int>();
        queue.Enqueue(root);
        while (queue.Count > 0)
        {
            int pid = queue.Dequeue();
            if (processes.ContainsKey(pid))
            {
                continue;
            }

            var p = ProcessProbe.Read(pid, host, settings);
            processes[pid] = p;
            foreach (int child in p.Children)
            {
                queue.Enqueue(child);
            }
        }

        SocketOptionsProbe.Fill(processes);
        return Finish(host, processes, hostWide: false, root);
    }

    /// <summary>Every process of the host, read on all cores with only the fdinfo files rules need.</summary>
    public static Snapshot CollectHost(HostFacts host)
    {
        var reader = new ProcReader();
        var locked = reader.ReadText("/proc/locks", record: false) is { } locks ? LocksParser.LockedFiles(locks) : [];
        var settings = new ProbeSettings { AllFdInfo = false, LockedFiles = locked, SocketProtocols = false };
        var pids = reader.ListNumbers("/proc") ?? [];
        var results = new ProcessSnapshot[pids.Count];
        Parallel.For(0, pids.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            results[i] = ProcessProbe.Read(pids[i], host, settings));

        var processes = new Dictionary<int, ProcessSnapshot>(results.Length);
        foreach (var p in results)
        {
            processes[p.Pid] = p;
        }

        return Finish(host, processes, hostWide: true, treeRoot: null);
    }

    private static Snapshot Finish(HostFacts host, Dictionary<int, ProcessSnapshot> processes, bool hostWide, int? treeRoot)
    {
        var live = processes.Values.Where(p => !p.Gone && p.Stat is { IsKernelThread: false }).ToList();
        var sockets = CollectSockets(host, live, hostWide);
        if (hostWide)
        {
            NameUnknownSockets(processes, sockets);
        }

        var mounts = new Dictionary<ulong, MountTable>();
        MountTables.Read(live, host, mounts);
        if (treeRoot is { } root)
        {
            ResolvePathsFromTheirNamespaceRoot(root, processes, mounts, host.CheckerNamespaces[NamespaceKind.Mnt]);
        }

        // criu's own table, for the external mounts it may find there (mount.c mnt_is_external_bind): already read
        // when a process shares criu's namespace, else read only when some process has another one.
        ulong ownNs = host.CheckerNamespaces[NamespaceKind.Mnt];
        MountTable? checkerMounts = mounts.GetValueOrDefault(ownNs)
            ?? (live.Any(p => p.Namespaces[NamespaceKind.Mnt] is var ns && ns != 0 && ns != ownNs) ? MountTables.ReadOwn() : null);

        var devices = new Dictionary<ulong, (IReadOnlyList<NetDevice>?, string?)>();
        foreach (var group in live.Where(p => p.Namespaces[NamespaceKind.Net] is var ns && ns != 0 && ns != host.CheckerNamespaces[NamespaceKind.Net])
            .GroupBy(p => p.Namespaces[NamespaceKind.Net]))
        {
            var list = NetDeviceLister.List(group.Key, $"/proc/{group.First().Pid}/ns/net", out string? failure);
            devices[group.Key] = (list, failure);
        }

        var (sharedVm, sharedFs, sharingError) = FindSharing(live);
        return new Snapshot
        {
            Host = host,
            Processes = processes,
            Sockets = sockets,
            Mounts = mounts,
            CheckerMounts = checkerMounts,
            NetDevices = devices,
            TtySessions = TtySessions(processes.Values, live, mounts, hostWide),
            SharedVm = sharedVm,
            SharedFs = sharedFs,
            SharingCheckError = sharingError,
        };
    }

    /// <summary>
    /// criu resolves a file's path from the root of the mount namespace the file's mount belongs to
    /// (files-reg.c:1397 check_path_remap, and create_link_remap's linkat at files-reg.c:1155:
    /// mntns_get_root_fd(mi->nsid), mi = lookup_mnt_id(the fd's mnt_id), files-reg.c:1785), which it opens
    /// through that namespace's ns_pid (mount.c:3927 __mntns_get_root_fd: /proc/ns_pid/root), the first live
    /// task met in it in pstree order (cr-dump.c:891 collect_pstree_ids, namespaces.c:31 nsid_add). That is not
    /// the holder's root when the holder opened the file before it unshared or pivoted its root, or opened it
    /// through another namespace's /proc/PID/fd: the probe resolved every path from the holder's root, so such
    /// paths are resolved again here. Only when criu takes the root's mount namespace: else it resolves from its own "/".
    /// </summary>
    private static void ResolvePathsFromTheirNamespaceRoot(int root, Dictionary<int, ProcessSnapshot> processes, IReadOnlyDictionary<ulong, MountTable> mounts, ulong checkerNs)
    {
        if (!processes.TryGetValue(root, out var rootProcess) || rootProcess.Namespaces[NamespaceKind.Mnt] is var rootNs && (rootNs == 0 || rootNs == checkerNs))
        {
            return; // criu takes no mount namespace: it resolves every path from its own "/" (mount.c:3844)
        }

        var nsPid = new Dictionary<ulong, int>();
        foreach (int pid in ProcessTree.Of(root, processes).Members)
        {
            var p = processes[pid];
            ulong ns = p.Namespaces[NamespaceKind.Mnt];
            if (!p.Gone && p.Stat is { IsKernelThread: false, State: not (ZombieState or DeadState) } && ns != 0 && ns != checkerNs)
            {
                nsPid.TryAdd(ns, pid);
            }
        }

        if (nsPid.Count == 0)
        {
            return;
        }

        var nsOfMount = new Dictionary<int, ulong>();
        foreach (var (ns, table) in mounts)
        {
            foreach (var m in table.Entries)
            {
                nsOfMount.TryAdd(m.MountId, ns);
            }
        }

        foreach (var p in processes.Values.ToList())
        {
            List<FdEntry>? fds = null;
            for (int i = 0; i < p.Fds.Count; i++)
            {
                var f = p.Fds[i];
                if (f.Path is null || f.Info is not { MountId: >= 0 } info || !nsOfMount.TryGetValue(info.MountId, out ulong ns)
                    || !nsPid.TryGetValue(ns, out int owner) || owner == p.Pid)
                {
                    continue;
                }

                fds ??= [.. p.Fds];
                fds[i] = f with { Path = ProcessProbe.Resolve($"/proc/{owner}/root", f.Link, followLinks: f.Kind != FdKind.Symlink) };
            }

            if (fds is not null)
            {
                processes[p.Pid] = p.WithFds(fds);
            }
        }
    }

    /// <summary>
    /// The sockets of every network namespace involved (criu collects exactly these: sockets.c collect_sockets).
    /// The host table dumps every family. One tree asks only about its own sockets: unix sockets one by one,
    /// TCP and UDP from the sockets themselves where they could be read, the rest by dump. A socket may live
    /// in another network namespace of the tree than its holder's, and criu looks every socket up by inode in
    /// one table of all of them (sockets.c:429-453 lookup_socket_ino), so every namespace of the tree is asked
    /// about every socket of the tree.
    /// </summary>
    private static Dictionary<ulong, SocketTable> CollectSockets(HostFacts host, List<ProcessSnapshot> live, bool hostWide)
    {
        var sockets = new Dictionary<ulong, SocketTable>();
        var groups = live.Where(p => p.Namespaces[NamespaceKind.Net] != 0).GroupBy(p => p.Namespaces[NamespaceKind.Net]).ToList();
        string? PathOf(IGrouping<ulong, ProcessSnapshot> group) =>
            group.Key == host.CheckerNamespaces[NamespaceKind.Net] ? null : $"/proc/{group.First().Pid}/ns/net";
        if (hostWide)
        {
            foreach (var group in groups)
            {
                sockets[group.Key] = SockDiagClient.Collect(group.Key, PathOf(group), s_allFamilies);
            }

            return sockets;
        }

        var fds = live.SelectMany(p => p.Fds).Where(f => f.Kind == FdKind.Socket && f.LinkInode != 0).ToList();
        var families = FamiliesFromProtocols(fds);
        var inet = fds.Where(SocketOptionsProbe.IsInet).ToList();
        bool inetFromSockets = inet.Count > 0 && inet.All(f => f.SocketOptions is not null);
        if (inetFromSockets)
        {
            families.ExceptWith([DiagFamily.Tcp, DiagFamily.Udp, DiagFamily.UdpLite]);
        }

        bool unix = families.Remove(DiagFamily.Unix);
        var unixInodes = fds.Where(f => f.SocketProtocol is "UNIX" or "UNIX-STREAM" or null).Select(f => f.LinkInode).Distinct().ToList();
        foreach (var group in groups)
        {
            string? path = PathOf(group);
            var table = SockDiagClient.Collect(group.Key, path, families);
            if (unix)
            {
                SockDiagClient.CollectUnix(table, path, unixInodes);
            }

            sockets[group.Key] = table;
        }

        if (inetFromSockets)
        {
            foreach (var f in inet)
            {
                // Each record goes to its own namespace's table, whoever holds it; a socket of a namespace
                // outside the tree is in no table criu collects (S1).
                if (f.SocketOptions!.Inet is { } record && sockets.TryGetValue(f.SocketOptions.NetNamespace ?? HolderNamespace(live, f), out var table))
                {
                    table.Inet[record.Inode] = record;
                }
            }
        }

        return sockets;
    }

    /// <summary>The network namespace of the (first) tree process holding this fd entry.</summary>
    private static ulong HolderNamespace(List<ProcessSnapshot> live, FdEntry f) =>
        live.First(p => p.Fds.Contains(f)).Namespaces[NamespaceKind.Net];

    /// <summary>
    /// The host scan skips getxattr per socket; the few sockets no dump describes (unbound, unconnected, or of a
    /// family criu cannot dump) get their protocol name afterwards, so the rules can tell them apart.
    /// </summary>
    private static void NameUnknownSockets(Dictionary<int, ProcessSnapshot> processes, Dictionary<ulong, SocketTable> sockets)
    {
        foreach (var p in processes.Values.ToList())
        {
            if (p.Gone || !sockets.TryGetValue(p.Namespaces[NamespaceKind.Net], out var table))
            {
                continue;
            }

            List<FdEntry>? fds = null;
            for (int i = 0; i < p.Fds.Count; i++)
            {
                var f = p.Fds[i];
                ulong ino = f.LinkInode;
                if (f.Kind != FdKind.Socket || ino == 0 || f.SocketProtocol is not null
                    || table.Unix.ContainsKey(ino) || table.Inet.ContainsKey(ino) || table.Netlink.ContainsKey(ino) || table.Packet.ContainsKey(ino))
                {
                    continue;
                }

                if (Libc.GetXattr($"/proc/{p.Pid}/fd/{f.Fd}", "system.sockprotoname", out string proto) == 0)
                {
                    fds ??= [.. p.Fds];
                    fds[i] = f with { SocketProtocol = proto };
                }
            }

            if (fds is not null)
            {
                processes[p.Pid] = p.WithFds(fds);
            }
        }
    }

    /// <summary>The sock_diag dumps that describe these sockets; an unknown protocol name asks for all.</summary>
    private static HashSet<DiagFamily> FamiliesFromProtocols(IEnumerable<FdEntry> fds)
    {
        var set = new HashSet<DiagFamily>();
        foreach (var fd in fds.Where(f => f.Link.StartsWith("socket:", StringComparison.Ordinal)))
        {
            if (fd.SocketProtocol is null)
            {
                set.UnionWith(s_allFamilies);
            }
            else if (DiagFamilies.Of(fd.SocketProtocol) is { } family)
            {
                set.Add(family);
            }
        }

        return set;
    }

    /// <summary>
    /// The session and foreground group of every controlling tty: from the tree's own processes, and, when
    /// the tree holds a tty that none of them has as its ctty, from a scan of the host (TTY2 needs the session).
    /// A pty's session is keyed by its devpts instance too (<see cref="DevptsInstance"/>), named by the fds on
    /// it; the scan reads the fds of the few processes whose ctty has the rdev asked for.
    /// </summary>
    internal static TtySessionTable TtySessions(IEnumerable<ProcessSnapshot> all, List<ProcessSnapshot> live, IReadOnlyDictionary<ulong, MountTable> mounts, bool hostWide)
    {
        var sessions = new List<TtySession>();
        var seen = new HashSet<int>();
        foreach (var p in all)
        {
            seen.Add(p.Pid);
            if (p.Stat is { HasControllingTty: true } st)
            {
                sessions.Add(new TtySession(st.ControllingTty, DevptsInstance.OfControllingTty(st.ControllingTty, p.Fds), st.Session, st.ForegroundGroup));
            }
        }

        var table = new TtySessionTable(sessions);
        if (hostWide)
        {
            return table;
        }

        var wanted = new HashSet<DeviceId>();
        foreach (var p in live)
        {
            var holderMounts = mounts.GetValueOrDefault(p.Namespaces[NamespaceKind.Mnt]);
            foreach (var fd in p.Fds)
            {
                if (fd.Stat is { IsCharDevice: true } s && TtyDevice.Of(s.RDevice, fd.Info) is { } tty
                    && !table.HasExact(tty, DevptsInstance.OfFd(fd, holderMounts)))
                {
                    wanted.Add(tty);
                }
            }
        }

        if (wanted.Count == 0)
        {
            return table;
        }

        var reader = new ProcReader();
        foreach (int pid in reader.ListNumbers("/proc") ?? [])
        {
            if (!seen.Contains(pid) && reader.ReadText($"/proc/{pid}/stat", record: false) is { } text && StatParser.TryParse(text, out var st)
                && st.HasControllingTty && wanted.Contains(st.ControllingTty))
            {
                sessions.Add(new TtySession(st.ControllingTty, DevptsInstance.OfControllingTty(st.ControllingTty, TerminalFds(reader, pid, st.ControllingTty)), st.Session, st.ForegroundGroup));
            }
        }

        return new TtySessionTable(sessions);
    }

    /// <summary>The fds of a process outside the tree that are this terminal (stat only: st_dev names its devpts).</summary>
    private static List<FdEntry> TerminalFds(ProcReader reader, int pid, DeviceId tty)
    {
        var fds = new List<FdEntry>();
        foreach (int fd in reader.ListNumbers($"/proc/{pid}/fd", record: false) ?? [])
        {
            string path = $"/proc/{pid}/fd/{fd}";
            if (Libc.Stat(path, out var st) == 0 && st.IsCharDevice && st.RDevice == tty)
            {
                fds.Add(new FdEntry(fd, path, st, null, FdKind.CharDevice, null, null));
            }
        }

        return fds;
    }

    /// <summary>
    /// Processes that share an mm or an fs_struct, found by sorting with kcmp(2) as the comparison
    /// (its ordering is stable for one boot), so n log n calls instead of n².
    /// </summary>
    private static (List<IReadOnlyList<int>> Vm, List<IReadOnlyList<int>> Fs, string? Error) FindSharing(List<ProcessSnapshot> live)
    {
        var candidates = live.Where(p => !p.IsZombie).Select(p => p.Pid).ToList();
        if (candidates.Count < 2)
        {
            return ([], [], null);
        }

        string? error = null;
        var vanished = new HashSet<int>();
        List<IReadOnlyList<int>> Groups(int type)
        {
            int Compare(int a, int b)
            {
                if (a == b)
                {
                    return 0;
                }

                int rc = Libc.Kcmp(a, b, type);
                if (rc == -Libc.ESRCH)
                {
                    // One of them exited: it shares nothing any more. Sort it by pid and drop it on the next try.
                    lock (vanished)
                    {
                        vanished.Add(a);
                        vanished.Add(b);
                    }

                    return a.CompareTo(b);
                }

                if (rc < 0)
                {
                    error ??= $"kcmp: {Libc.ErrnoName(-rc)}";
                    return a.CompareTo(b);
                }

                return rc switch { 0 => 0, 1 => -1, 2 => 1, _ => a.CompareTo(b) };
            }

            // A process that exits mid-sort makes the order inconsistent (List.Sort then throws): sort again without it.
            List<int> list = [];
            for (int attempt = 0; ; attempt++)
            {
                list = candidates.Where(pid => !vanished.Contains(pid) || Libc.Kcmp(pid, pid, type) == 0).ToList();
                vanished.Clear();
                try
                {
                    list.Sort(Compare);
                    break;
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException && attempt < 3)
                {
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException)
                {
                    error ??= "kcmp: processes kept exiting while sharing was compared";
                    return [];
                }
            }

            var groups = new List<IReadOnlyList<int>>();
            for (int i = 0; i < list.Count;)
            {
                int j = i + 1;
                while (j < list.Count && Libc.Kcmp(list[i], list[j], type) == 0)
                {
                    j++;
                }

                if (j - i > 1)
                {
                    groups.Add(list.GetRange(i, j - i));
                }

                i = j;
            }

            return groups;
        }

        var vm = Groups(Libc.KCMP_VM);
        var fs = Groups(Libc.KCMP_FS);
        return (vm, fs, error);
    }
}
