namespace Checkpointable.Model;

/// <summary>Everything read about one process at one moment. Immutable once built by the probe.</summary>
public sealed class ProcessSnapshot
{
    public required int Pid { get; init; }

    /// <summary>Null when the process was gone before its stat could be read.</summary>
    public ProcStat? Stat { get; init; }

    public ProcStatus? Status { get; init; }

    public IReadOnlyList<ThreadSnapshot> Threads { get; init; } = [];

    /// <summary>Children of every thread (/proc/P/task/T/children), as CRIU walks them.</summary>
    public IReadOnlyList<int> Children { get; init; } = [];

    public NamespaceSet Namespaces { get; init; } = new();

    public IReadOnlyList<FdEntry> Fds { get; init; } = [];

    public IReadOnlyList<MemoryMapping> Mappings { get; init; } = [];

    public string? Exe { get; init; }

    public string? Cwd { get; init; }

    public string? Root { get; init; }

    /// <summary>Mount ids of exe, cwd and root, read only for processes in a mount namespace other than ours.</summary>
    public IReadOnlyDictionary<string, int> SpecialFileMounts { get; init; } = new Dictionary<string, int>();

    /// <summary>/proc/P/wchan, read only for tasks in state D.</summary>
    public string? Wchan { get; init; }

    public string? UidMap { get; init; }

    public string? GidMap { get; init; }

    /// <summary>The soft RLIMIT_NOFILE (/proc/P/limits); null when unread. <see cref="ulong.MaxValue"/> is unlimited.</summary>
    public ulong? OpenFilesLimit { get; init; }

    /// <summary>
    /// For a process in a user namespace below ours: the owner (creator's euid) of its ancestor namespace just
    /// below ours, who holds every capability there (kernel/capability.c ns_capable); null otherwise or unread.
    /// </summary>
    public uint? UserNamespaceCreator { get; init; }

    /// <summary>The process exited while being read (or before).</summary>
    public bool Gone { get; init; }

    /// <summary>Reads that failed; Denied entries make the verdicts that needed them "unknown".</summary>
    public IReadOnlyList<ProbeError> Errors { get; init; } = [];

    public string Comm => Stat?.Comm ?? "?";

    /// <summary>The same snapshot with other fd entries (probes that learn more about fds later).</summary>
    public ProcessSnapshot WithFds(IReadOnlyList<FdEntry> fds) => new()
    {
        Pid = Pid,
        Stat = Stat,
        Status = Status,
        Threads = Threads,
        Children = Children,
        Namespaces = Namespaces,
        Fds = fds,
        Mappings = Mappings,
        Exe = Exe,
        Cwd = Cwd,
        Root = Root,
        SpecialFileMounts = SpecialFileMounts,
        Wchan = Wchan,
        UidMap = UidMap,
        GidMap = GidMap,
        OpenFilesLimit = OpenFilesLimit,
        UserNamespaceCreator = UserNamespaceCreator,
        Gone = Gone,
        Errors = Errors,
    };

    public bool IsZombie => Stat?.State == 'Z';
}
