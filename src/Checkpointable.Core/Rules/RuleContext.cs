using Checkpointable.Model;
using Checkpointable.Options;

namespace Checkpointable.Rules;

/// <summary>What every rule sees: one snapshot, one tree in it, the effective criu options; and where findings go.</summary>
public sealed class RuleContext
{
    private readonly List<Finding> _findings = [];
    private HashSet<ulong>? _socketInodes;
    private List<Sockets.SocketRef>? _sockets;
    private MountTable? _treeMounts;
    private bool _treeMountsBuilt;
    private CriuPrivileges? _criu;

    public RuleContext(Snapshot snapshot, ProcessTree tree, CriuOptions options)
    {
        Snapshot = snapshot;
        Tree = tree;
        Options = options;
        Processes = tree.Members.Select(p => snapshot.Processes[p]).Where(p => !p.Gone && p.Stat is { IsKernelThread: false }).ToList();
        Root = snapshot.Processes[tree.Root];
    }

    public Snapshot Snapshot { get; }

    public ProcessTree Tree { get; }

    public CriuOptions Options { get; }

    public HostFacts Host => Snapshot.Host;

    /// <summary>The credentials and capabilities criu is assumed to run with (--criu-caps; the checker's own by default).</summary>
    public CriuPrivileges Criu => _criu ??= Options.CriuCaps.Resolve(Host);

    public ProcessSnapshot Root { get; }

    /// <summary>The tree's processes that could be read, root first (kernel threads have their own rule).</summary>
    public IReadOnlyList<ProcessSnapshot> Processes { get; }

    public IReadOnlyList<Finding> Findings => _findings;

    /// <summary>The tree's sockets with what sock_diag says of them, each once.</summary>
    public IReadOnlyList<Sockets.SocketRef> Sockets => _sockets ??= Rules.Sockets.SocketRef.Collect(Processes, Snapshot);

    /// <summary>Every socket inode some tree process holds (a peer held here is "inside the tree").</summary>
    public IReadOnlySet<ulong> TreeSocketInodes => _socketInodes ??= Processes
        .SelectMany(p => p.Fds)
        .Where(f => f.Kind == FdKind.Socket)
        .Select(f => f.LinkInode)
        .Where(i => i != 0)
        .ToHashSet();

    /// <summary>
    /// The mounts criu can look a file's mnt_id up in (mount.c:229 lookup_mnt_id searches the list of every
    /// collected namespace; mount ids are unique across namespaces): the union of the tree's mount namespaces.
    /// criu's own namespace is collected only when the root shares it (namespaces.c:427 walk_namespaces skips
    /// NS_CRIU once the root's namespace is dumped), so then a file on a host mount is not found. Null when a
    /// namespace's table could not be read.
    /// </summary>
    public MountTable? TreeMounts
    {
        get
        {
            if (!_treeMountsBuilt)
            {
                _treeMounts = BuildTreeMounts();
                _treeMountsBuilt = true;
            }

            return _treeMounts;
        }
    }

    /// <summary>
    /// The path of <paramref name="fd"/> resolved from the root criu resolves it from (files-reg.c check_path_remap
    /// with mntns_get_root_fd): "/" of criu when the tree's root shares criu's mount namespace, else the root of the
    /// namespace of the file's mount (not necessarily its holder's).
    /// </summary>
    public PathResolution? PathAsCriuSeesIt(FdEntry fd) =>
        !RootHasOwn(NamespaceKind.Mnt) && fd.PathFromCheckerRoot is { } fromChecker ? fromChecker : fd.Path;

    private MountTable? BuildTreeMounts()
    {
        ulong criu = Host.CheckerNamespaces[NamespaceKind.Mnt];
        bool rootOwn = RootHasOwn(NamespaceKind.Mnt);
        var entries = new List<MountEntry>();
        bool seen = false;
        foreach (ulong ns in Processes.Select(p => p.Namespaces[NamespaceKind.Mnt]).Where(ns => ns != 0).Distinct())
        {
            if (rootOwn && ns == criu)
            {
                continue;
            }

            if (!Snapshot.Mounts.TryGetValue(ns, out var table))
            {
                return null;
            }

            entries.AddRange(table.Entries);
            seen = true;
        }

        return seen ? new MountTable(entries) : null;
    }

    /// <summary>True when the root is in a namespace of that kind other than criu's: criu then dumps it (root_ns_mask).</summary>
    public bool RootHasOwn(NamespaceKind kind) =>
        Root.Namespaces[kind] != 0 && Root.Namespaces[kind] != Host.CheckerNamespaces[kind];

    public void Add(Finding finding) => _findings.Add(finding);

    /// <summary>
    /// Adds a finding whose lifting options are <paramref name="lift"/>; it is marked lifted when
    /// <paramref name="liftedNow"/> says the effective options already do it.
    /// </summary>
    public void Report(
        string ruleId,
        Subsystem subsystem,
        ProcessSnapshot process,
        string resource,
        string reason,
        string? criuMessage = null,
        IReadOnlyList<string>? lift = null,
        bool liftedNow = false,
        int? fd = null,
        Severity severity = Severity.Blocker,
        Certainty certainty = Certainty.Certain,
        bool isVolatile = false)
    {
        _findings.Add(new Finding
        {
            RuleId = ruleId,
            Subsystem = subsystem,
            Pid = process.Pid,
            Fd = fd,
            Resource = resource,
            Reason = reason,
            CriuMessage = criuMessage,
            Lift = lift ?? [],
            Lifted = liftedNow,
            Severity = severity,
            Certainty = certainty,
            Volatile = isVolatile,
        });
    }

    /// <summary>Whether criu's network lock works here with the given --network-lock (netfilter.c, net.c).</summary>
    /// <param name="perConnection">true: one iptables rule per TCP connection (host netns); false: the whole-netns lock.</param>
    public bool NetworkLockWorks(bool perConnection, bool ipv6) => Options.NetworkLock switch
    {
        NetworkLockMethod.Skip => true,
        NetworkLockMethod.Nftables => Host.CriuHasNftables,
        _ => perConnection
            ? Host.HasTool(ipv6 ? "ip6tables" : "iptables")
            : Host.HasTool("iptables-restore") && Host.HasTool("ip6tables-restore"),
    };

    /// <summary>The --network-lock choice that makes the lock work on this host.</summary>
    public string NetworkLockRemedy => Host.CriuHasNftables ? "--network-lock nftables" : "--network-lock skip";

    /// <summary>Where the given options do not make the lock work: the option that would, else nothing.</summary>
    public IReadOnlyList<string> NetworkLockLift(bool perConnection, bool ipv6) =>
        NetworkLockWorks(perConnection, ipv6) ? [] : [NetworkLockRemedy];

    public static string Fd(int fd) => $"fd {fd}";
}
