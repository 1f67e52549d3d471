using Checkpointable.Interop;
using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;

namespace Checkpointable.Probes;

/// <summary>Reads one process from /proc: never ptrace, never a signal, never a write.</summary>
public static class ProcessProbe
{
    /// <summary>Major of /dev/null, /dev/zero, … (include/uapi/linux/major.h MEM_MAJOR).</summary>
    private const int MemMajor = 1;

    public static ProcessSnapshot Read(int pid, HostFacts host, ProbeSettings settings)
    {
        var r = new ProcReader();
        string dir = $"/proc/{pid}";

        string? statText = r.ReadText($"{dir}/stat");
        if (statText is null || !StatParser.TryParse(statText, out var stat))
        {
            if (statText is not null)
            {
                r.Record(new ProbeError($"{dir}/stat", ProbeFailure.Failed, "unparsable"));
            }

            // Gone only when the kernel said so (ENOENT/ESRCH); a refused read is evidence missing, not an exit.
            bool gone = statText is null && r.Errors.Any(e => e.Failure == ProbeFailure.Gone);
            return new ProcessSnapshot { Pid = pid, Gone = gone, Errors = r.Errors };
        }

        ProcStatus? status = null;
        if (r.ReadText($"{dir}/status") is { } statusText && StatusParser.TryParse(statusText, out var st))
        {
            status = st;
        }

        var namespaces = new NamespaceSet();
        if (stat.IsKernelThread)
        {
            return new ProcessSnapshot { Pid = pid, Stat = stat, Status = status, Namespaces = namespaces, Errors = r.Errors };
        }

        foreach (var kind in NamespaceSet.All)
        {
            // time_for_children and friends are missing on older kernels: not an error worth showing.
            if (r.ReadLink($"{dir}/ns/{NamespaceSet.FileName(kind)}", record: kind != NamespaceKind.TimeForChildren && kind != NamespaceKind.Time) is { } ns)
            {
                namespaces[kind] = FdEntry.ParseBracketInode(ns);
            }
        }

        var (threads, children) = ReadThreads(r, dir, status);
        bool foreignMounts = namespaces[NamespaceKind.Mnt] != 0
            && namespaces[NamespaceKind.Mnt] != host.CheckerNamespaces[NamespaceKind.Mnt];

        // A zombie has released its files and memory: there is nothing to read (and its fd directory refuses even
        // its own user, because the kernel no longer knows it as dumpable), so an empty list is the fact, not a guess.
        bool zombie = stat.State is 'Z' or 'X';
        var fds = zombie ? [] : ReadFds(r, pid, host, settings, foreignMounts);
        var mappings = zombie ? [] : ReadMappings(r, dir, host, foreignMounts, settings.AllFdInfo);

        string? exe = r.ReadLink($"{dir}/exe", record: false);
        string? cwd = r.ReadLink($"{dir}/cwd");
        string? root = r.ReadLink($"{dir}/root");
        var specialMounts = new Dictionary<string, int>();
        if (foreignMounts || settings.AllFdInfo)
        {
            foreach (var name in new[] { "exe", "cwd", "root" })
            {
                if (Libc.MountIdOf($"{dir}/{name}", out int mnt) == 0)
                {
                    specialMounts[name] = mnt;
                }
            }
        }

        string? wchan = stat.State == 'D' ? r.ReadText($"{dir}/wchan", record: false) : null;
        // limits is world-readable (fs/proc/base.c S_IRUGO); a zombie is never infected, so its limit does not matter.
        ulong? openFilesLimit = !zombie && r.ReadText($"{dir}/limits", record: false) is { } limits
            && LimitsParser.TryParseOpenFiles(limits, out ulong nofile) ? nofile : null;
        string? uidMap = null, gidMap = null;
        uint? userNsCreator = null;
        if (namespaces[NamespaceKind.User] != host.CheckerNamespaces[NamespaceKind.User])
        {
            uidMap = r.ReadText($"{dir}/uid_map");
            gidMap = r.ReadText($"{dir}/gid_map");
            userNsCreator = Interop.UserNamespace.OwnerBelow($"{dir}/ns/user", host.CheckerNamespaces[NamespaceKind.User]);
        }

        return new ProcessSnapshot
        {
            Pid = pid,
            Stat = stat,
            Status = status,
            Threads = threads,
            Children = children,
            Namespaces = namespaces,
            Fds = fds,
            Mappings = mappings,
            Exe = exe,
            Cwd = cwd,
            Root = root,
            SpecialFileMounts = specialMounts,
            Wchan = wchan,
            UidMap = uidMap,
            GidMap = gidMap,
            OpenFilesLimit = openFilesLimit,
            UserNamespaceCreator = userNsCreator,
            Errors = r.Errors,
        };
    }

    private static (List<ThreadSnapshot> Threads, List<int> Children) ReadThreads(ProcReader r, string dir, ProcStatus? status)
    {
        var threads = new List<ThreadSnapshot>();
        var children = new List<int>();
        var tids = r.ListNumbers($"{dir}/task") ?? [];
        tids.Sort();
        foreach (int tid in tids)
        {
            // A thread that exits meanwhile is simply no longer there.
            if (r.ReadText($"{dir}/task/{tid}/children", record: false) is { } kids)
            {
                foreach (var part in kids.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(part, out int child))
                    {
                        children.Add(child);
                    }
                }
            }

            if (tids.Count == 1 && status is not null)
            {
                threads.Add(new ThreadSnapshot(tid, status.State, status.TracerPid, status.SigPnd, status.ShdPnd));
            }
            else if (r.ReadText($"{dir}/task/{tid}/status", record: false) is { } text && StatusParser.TryParse(text, out var ts))
            {
                threads.Add(new ThreadSnapshot(tid, ts.State, ts.TracerPid, ts.SigPnd, ts.ShdPnd));
            }
        }

        return (threads, children);
    }

    private static List<FdEntry> ReadFds(ProcReader r, int pid, HostFacts host, ProbeSettings settings, bool foreignMounts)
    {
        string dir = $"/proc/{pid}";
        var result = new List<FdEntry>();
        var numbers = r.ListNumbers($"{dir}/fd");
        if (numbers is null)
        {
            return result;
        }

        numbers.Sort();
        foreach (int fd in numbers)
        {
            string path = $"{dir}/fd/{fd}";
            string? link = r.ReadLink(path, record: false);
            if (link is null)
            {
                continue; // closed between the listing and the readlink
            }

            // Only path-like targets need stat: sockets, pipes and anon inodes are known by their link text.
            FileStat? stat = null;
            ProbeError? error = null;
            if (link.StartsWith('/'))
            {
                int rc = Libc.Stat(path, out var st);
                if (rc == 0)
                {
                    stat = st;
                }
                else
                {
                    error = ProbeError.FromErrno(path, rc);
                }
            }

            var kind = FdEntry.Classify(link, stat, host.ShmemDevice);
            FdInfo? info = null;
            if (NeedsFdInfo(kind, link, stat, settings, foreignMounts))
            {
                if (ProcReader.ReadText($"{dir}/fdinfo/{fd}", out var fdInfoError) is { } text)
                {
                    info = FdInfoParser.Parse(text);
                }
                else
                {
                    // Gone: closed since the listing. Denied: evidence missing, which the verdict must show.
                    error ??= fdInfoError;
                    if (fdInfoError!.Failure == ProbeFailure.Denied)
                    {
                        r.Record(fdInfoError);
                    }
                }
            }

            string? protocol = null;
            if (kind == FdKind.Socket && settings.SocketProtocols && Libc.GetXattr(path, "system.sockprotoname", out var proto) == 0)
            {
                protocol = proto;
            }

            var entry = new FdEntry(fd, link, stat, info, kind, protocol, error);

            // Does the name still lead to this file? criu stats the link text as it is, " (deleted)" included,
            // whenever the file still has links (files-reg.c check_path_remap: F-REG4/F-REG5), so a file
            // really named "x (deleted)" is fine and a deleted name of a linked file is not. Memory devices
            // (/dev/null, …) are dumped as regular files by path too (files.c dump_chrdev, MEM_MAJOR).
            if (settings.AllFdInfo && stat is { Links: > 0 } s
                && (kind is FdKind.RegularFile or FdKind.Directory or FdKind.Fifo or FdKind.Symlink
                    || (kind == FdKind.CharDevice && s.RDevice.Major == MemMajor)))
            {
                bool follow = kind != FdKind.Symlink;
                entry = entry with
                {
                    Path = Resolve(foreignMounts ? $"{dir}/root" : string.Empty, link, follow),
                    PathFromCheckerRoot = foreignMounts ? Resolve(string.Empty, link, follow) : null,
                };
            }

            result.Add(entry);
        }

        if (settings.AllFdInfo)
        {
            CheckEpollTargets(pid, result);
        }

        return result;
    }

    /// <summary>
    /// <paramref name="link"/> resolved below <paramref name="root"/> (empty: our own "/"); when the name is gone, the
    /// mount of the nearest existing parent directory, where criu's link remap would put its hard link.
    /// </summary>
    internal static PathResolution Resolve(string root, string link, bool followLinks)
    {
        int rc = Libc.Stat(root + link, out var now, followLinks);
        int remapMount = -1;
        if (rc == Libc.ENOENT)
        {
            for (string parent = ParentOf(link); ; parent = ParentOf(parent))
            {
                if (Libc.MountIdOf(root + parent, out int mnt) == 0)
                {
                    remapMount = mnt;
                    break;
                }

                if (parent == "/")
                {
                    break;
                }
            }
        }

        return new PathResolution(rc == 0 ? now : null, rc, remapMount);
    }

    private static string ParentOf(string path)
    {
        int slash = path.TrimEnd('/').LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    /// <summary>For each epoll target, find an fd of the same process that is that very file (criu eventpoll.c, kcmp).</summary>
    private static void CheckEpollTargets(int pid, List<FdEntry> fds)
    {
        for (int i = 0; i < fds.Count; i++)
        {
            if (fds[i].Info is not { EpollTargets.Count: > 0 } info)
            {
                continue;
            }

            var escaped = new List<int>();
            var seen = new Dictionary<int, int>();
            foreach (var t in info.EpollTargets)
            {
                int toff = seen[t.Fd] = seen.GetValueOrDefault(t.Fd, -1) + 1;
                int rc = Libc.KcmpEpollTarget(pid, t.Fd, fds[i].Fd, t.Fd, toff);
                if (rc < 0 && rc != -Libc.EBADF && rc != -Libc.ENOENT)
                {
                    escaped = null;
                    break; // kcmp not permitted or not built in: leave it to the proxy
                }

                if (rc != 0 && !fds.Any(f => f.Fd != t.Fd && Libc.KcmpEpollTarget(pid, f.Fd, fds[i].Fd, t.Fd, toff) == 0))
                {
                    escaped.Add(t.Fd);
                }
            }

            fds[i] = fds[i] with { EscapedEpollTargets = escaped };
        }
    }

    private static bool NeedsFdInfo(FdKind kind, string link, FileStat? stat, ProbeSettings settings, bool foreignMounts)
    {
        if (settings.AllFdInfo)
        {
            return true;
        }

        switch (kind)
        {
            case FdKind.Pipe:
            case FdKind.Fifo:
                return true; // O_DIRECT (packet mode) and O_PATH live in flags
            case FdKind.AnonInode:
                return link is "anon_inode:[eventpoll]" or "anon_inode:inotify" or "anon_inode:[fanotify]" or "anon_inode:[pidfd]";
            case FdKind.CharDevice:
                return stat is { } c && (c.RDevice == new DeviceId(5, 2) || c.RDevice.Major is >= 128 and <= 135);
            case FdKind.RegularFile:
            case FdKind.Directory:
            case FdKind.Symlink:
                return foreignMounts || (stat is { } f && settings.LockedFiles is { } locked && locked.Contains((f.Device, f.Inode)));
            default:
                return false;
        }
    }

    private static List<MemoryMapping> ReadMappings(ProcReader r, string dir, HostFacts host, bool foreignMounts, bool exactMounts)
    {
        var text = r.ReadText($"{dir}/maps");
        if (text is null)
        {
            return [];
        }

        var maps = MapsParser.Parse(text);
        var mountIds = new Dictionary<(DeviceId, ulong), int>();
        for (int i = 0; i < maps.Count; i++)
        {
            var m = maps[i];
            string mapFile = $"{dir}/map_files/{m.Range}";
            if (NeedsMapFileStat(m, host))
            {
                int rc = Libc.Stat(mapFile, out var st);
                m = m with { FileStat = rc == 0 ? st : null, FileStatErrno = rc };
                if (rc == 0 && st.Links > 0 && m.Path.StartsWith('/'))
                {
                    // From our own "/" in our namespace, chroot'ed or not (mount.c:3844-3858), else from the task's root.
                    m = m with { PathErrno = Libc.Stat(foreignMounts ? $"{dir}/root{m.Path}" : m.Path, out _) };
                }
            }

            // Outside our mount namespace a file may be mapped through a mount the task's namespace lacks
            // (mapped before unshare(CLONE_NEWNS)): CRIU then fails to look the mount up (files-reg.c:1790).
            if ((foreignMounts || exactMounts) && m.Path.StartsWith('/') && m.Inode != 0 && !(host.ShmemDevice is { } shm && m.Device == shm))
            {
                if (!mountIds.TryGetValue((m.Device, m.Inode), out int mnt))
                {
                    mnt = Libc.MountIdOf(mapFile, out int id) == 0 ? id : -1;
                    mountIds[(m.Device, m.Inode)] = mnt;
                }

                m = m with { MountId = mnt };
            }

            maps[i] = m;
        }

        return maps;
    }

    /// <summary>map_files is only consulted where the path column cannot decide (as CRIU's proc_parse.c does for every VMA).</summary>
    private static bool NeedsMapFileStat(MemoryMapping m, HostFacts host)
    {
        if (m.Path.Length == 0 || m.Path[0] == '[')
        {
            return false; // anonymous, [heap], [stack], [vdso], [uprobes], …
        }

        if (m.Path.StartsWith("anon_inode:", StringComparison.Ordinal) || m.Path.StartsWith("/dev/", StringComparison.Ordinal))
        {
            return true;
        }

        bool shmem = host.ShmemDevice is { } shm && m.Device == shm;
        return m.PathDeleted && !shmem;
    }
}
