using Checkpointable.Rules;

namespace Checkpointable.Watch;

/// <summary>
/// Pure: two looks at a tree (or at the host) to the transitions between them, in a fixed order: processes that
/// appeared, processes that exited, resources that stopped blocking, resources that started blocking,
/// subsystem flags, and last the tree's verdict (the effect after its causes).
/// </summary>
public static class Differ
{
    /// <summary>The starting state of a tree: its verdict, then each resource that blocks.</summary>
    public static List<Transition> Start(WatchState s, DateTimeOffset at)
    {
        var list = new List<Transition>
        {
            new()
            {
                At = at, Kind = TransitionKind.Started, Root = s.Root, Pid = s.Root, Comm = s.Members.GetValueOrDefault(s.Root),
                To = s.Verdict, Reason = Summary(s),
            },
        };
        list.AddRange(Ordered(s.Blockers.Values).Select(f => Resource(s.Root, f, null, 0, at)));
        return list;
    }

    /// <summary>Between two looks at the same tree.</summary>
    public static List<Transition> Diff(WatchState before, WatchState after, DateTimeOffset at)
    {
        var list = new List<Transition>();
        foreach (var (pid, comm) in after.Members.Where(m => !before.Members.ContainsKey(m.Key)).OrderBy(m => m.Key))
        {
            list.Add(new Transition { At = at, Kind = TransitionKind.Appeared, Root = after.Root, Pid = pid, Comm = comm });
        }

        foreach (var (pid, comm) in before.Members.Where(m => !after.Members.ContainsKey(m.Key)).OrderBy(m => m.Key))
        {
            list.Add(new Transition { At = at, Kind = TransitionKind.Exited, Root = after.Root, Pid = pid, Comm = comm });
        }

        list.AddRange(Ordered(before.Blockers.Where(b => !after.Blockers.ContainsKey(b.Key)).Select(b => b.Value))
            .Select(f => Resource(after.Root, f, 0, 1, at)));
        list.AddRange(Ordered(after.Blockers.Where(b => !before.Blockers.ContainsKey(b.Key)).Select(b => b.Value))
            .Select(f => Resource(after.Root, f, 1, 0, at)));

        foreach (var (pid, subsystem) in before.Blocked.Union(after.Blocked).Order())
        {
            bool was = before.Blocked.Contains((pid, subsystem));
            bool now = after.Blocked.Contains((pid, subsystem));
            if (was != now)
            {
                list.Add(new Transition
                {
                    At = at,
                    Kind = TransitionKind.Subsystem,
                    Root = after.Root,
                    Pid = pid,
                    Subsystem = subsystem,
                    Comm = after.Members.GetValueOrDefault(pid) ?? before.Members.GetValueOrDefault(pid),
                    From = was ? 0 : 1,
                    To = now ? 0 : 1,
                });
            }
        }

        if (before.Verdict != after.Verdict)
        {
            list.Add(new Transition
            {
                At = at,
                Kind = TransitionKind.Tree,
                Root = after.Root,
                Pid = after.Root,
                Comm = after.Members.GetValueOrDefault(after.Root),
                From = before.Verdict,
                To = after.Verdict,
                Reason = Summary(after),
            });
        }

        return list;
    }

    /// <summary>The tree's root is gone: every member exited.</summary>
    public static List<Transition> Gone(WatchState before, DateTimeOffset at) =>
        before.Members.OrderBy(m => m.Key == before.Root ? 1 : 0).ThenBy(m => m.Key)
            .Select(m => new Transition { At = at, Kind = TransitionKind.Exited, Root = before.Root, Pid = m.Key, Comm = m.Value })
            .ToList();

    /// <summary>
    /// Between two looks at the host, each process judged as the root of its own tree (states made with ownOnly):
    /// a new process is one line carrying its verdict, an exited one is one line; the rest as <see cref="Diff"/>.
    /// </summary>
    public static List<Transition> DiffHost(IReadOnlyDictionary<int, WatchState> before, IReadOnlyDictionary<int, WatchState> after, DateTimeOffset at)
    {
        var list = new List<Transition>();
        foreach (var (pid, s) in after.Where(a => !before.ContainsKey(a.Key)).OrderBy(a => a.Key))
        {
            list.Add(new Transition
            {
                At = at,
                Kind = TransitionKind.Appeared,
                Root = pid,
                Pid = pid,
                Comm = s.Members.GetValueOrDefault(pid),
                To = s.Verdict,
                Reason = Summary(s),
            });
        }

        foreach (var (pid, s) in before.Where(b => !after.ContainsKey(b.Key)).OrderBy(b => b.Key))
        {
            list.Add(new Transition { At = at, Kind = TransitionKind.Exited, Root = pid, Pid = pid, Comm = s.Members.GetValueOrDefault(pid) });
        }

        foreach (var (pid, s) in after.Where(a => before.ContainsKey(a.Key)).OrderBy(a => a.Key))
        {
            var previous = before[pid];
            if (!ReferenceEquals(previous, s))
            {
                list.AddRange(Diff(previous, s, at).Where(t => t.Kind is not (TransitionKind.Appeared or TransitionKind.Exited)));
            }
        }

        return list;
    }

    /// <summary>"checkpointable", "1 blocker: I2 fd 3", "3 blockers: T20 tree, …", "undecided".</summary>
    public static string Summary(WatchState s)
    {
        if (s.Verdict == 1)
        {
            return "checkpointable";
        }

        if (s.Blockers.Count == 0)
        {
            return s.Verdict == 0 ? "not checkpointable" : "undecided: some evidence could not be read";
        }

        var first = Ordered(s.Blockers.Values).First();
        string count = s.Blockers.Count == 1 ? "1 blocker" : $"{s.Blockers.Count} blockers";
        return $"{count}, first: {first.RuleId} {first.Pid} {first.Resource}";
    }

    private static IEnumerable<Finding> Ordered(IEnumerable<Finding> findings) =>
        findings.OrderBy(f => f.Pid).ThenBy(f => f.Fd ?? -1).ThenBy(f => f.RuleId, StringComparer.Ordinal).ThenBy(f => f.Resource, StringComparer.Ordinal);

    private static Transition Resource(int root, Finding f, int? from, int to, DateTimeOffset at) => new()
    {
        At = at,
        Kind = TransitionKind.Resource,
        Root = root,
        Pid = f.Pid,
        Subsystem = f.Subsystem,
        RuleId = f.RuleId,
        Resource = f.Resource,
        Fd = f.Fd,
        From = from,
        To = to,
        Reason = f.Reason,
        Lift = to == 0 ? f.Lift : [],
    };
}
