namespace Checkpointable.Model;

/// <summary>
/// An immutable picture of the processes that matter for one question (one tree, or the whole host),
/// the sockets of their network namespaces and the mounts of their mount namespaces.
/// </summary>
public sealed class Snapshot
{
    public required HostFacts Host { get; init; }

    public required IReadOnlyDictionary<int, ProcessSnapshot> Processes { get; init; }

    /// <summary>sock_diag tables per network-namespace inode.</summary>
    public required IReadOnlyDictionary<ulong, SocketTable> Sockets { get; init; }

    /// <summary>Network devices of each network namespace other than ours (criu dumps those of the root's), or why not.</summary>
    public IReadOnlyDictionary<ulong, (IReadOnlyList<NetDevice>? Devices, string? Failure)> NetDevices { get; init; } =
        new Dictionary<ulong, (IReadOnlyList<NetDevice>?, string?)>();

    /// <summary>Mount tables per mount-namespace inode.</summary>
    public required IReadOnlyDictionary<ulong, MountTable> Mounts { get; init; }

    /// <summary>
    /// The mounts of the checker's own mount namespace, which is criu's where it runs: autodetected external
    /// mounts and masters outside the dumped namespaces are looked up there (mount.c find_ext_ns_id). Null when
    /// every process is in it, or it could not be read.
    /// </summary>
    public MountTable? CheckerMounts { get; init; }

    /// <summary>For each tty some process has as its controlling tty (a pty: on which devpts instance): that session and foreground group.</summary>
    public TtySessionTable TtySessions { get; init; } = TtySessionTable.Empty;

    /// <summary>Process groups of processes sharing an mm (CLONE_VM without CLONE_THREAD), by kcmp.</summary>
    public IReadOnlyList<IReadOnlyList<int>> SharedVm { get; init; } = [];

    /// <summary>Likewise for a shared fs_struct (CLONE_FS).</summary>
    public IReadOnlyList<IReadOnlyList<int>> SharedFs { get; init; } = [];

    /// <summary>Pids of tree members and the error that prevented sharing checks, if any.</summary>
    public string? SharingCheckError { get; init; }

    public DateTimeOffset TakenAt { get; init; } = DateTimeOffset.UtcNow;

    private SocketIndex? _socketIndex;

    public SocketIndex SocketIndex => LazyInitializer.EnsureInitialized(ref _socketIndex, () => new SocketIndex(Sockets));

    /// <summary>The index of an earlier snapshot whose socket tables are these very ones (watch carries it over).</summary>
    public SocketIndex? CarriedSocketIndex
    {
        init => _socketIndex = value;
    }

    public SocketTable? SocketsOf(ProcessSnapshot p) =>
        Sockets.TryGetValue(p.Namespaces[NamespaceKind.Net], out var t) ? t : null;

    public MountTable? MountsOf(ProcessSnapshot p) =>
        Mounts.TryGetValue(p.Namespaces[NamespaceKind.Mnt], out var m) ? m : null;
}

/// <summary>The tree criu dump -t ROOT would take: ROOT first, then descendants depth-first.</summary>
public sealed class ProcessTree
{
    public ProcessTree(int root, IReadOnlyList<int> members)
    {
        Root = root;
        Members = members;
        MemberSet = members.ToHashSet();
    }

    public int Root { get; }

    public IReadOnlyList<int> Members { get; }

    public IReadOnlySet<int> MemberSet { get; }

    public bool Contains(int pid) => MemberSet.Contains(pid);

    /// <summary>Walks children from root, depth-first, over a snapshot's processes (missing ones are skipped).</summary>
    public static ProcessTree Of(int root, IReadOnlyDictionary<int, ProcessSnapshot> processes)
    {
        var order = new List<int>();
        var seen = new HashSet<int>();
        var stack = new Stack<int>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            int pid = stack.Pop();
            if (!seen.Add(pid) || !processes.TryGetValue(pid, out var p))
            {
                continue;
            }

            order.Add(pid);
            for (int i = p.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(p.Children[i]);
            }
        }

        return new ProcessTree(root, order);
    }
}
