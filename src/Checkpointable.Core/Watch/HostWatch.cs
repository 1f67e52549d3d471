using Checkpointable.Interop;
using Checkpointable.Model;
using Checkpointable.Options;
using Checkpointable.Predict;
using Checkpointable.Probes;
using Checkpointable.Probes.ProcFs;
using Checkpointable.Rules;

namespace Checkpointable.Watch;

/// <summary>
/// Watches every process of the host, each judged as the root of its own tree (as the host table does), at the
/// cost of a /proc listing, one statx per process (its fd count) and one read of /proc/locks per look. Only
/// processes that appeared or whose fd count changed (or that /proc/locks names anew) are read again; they and
/// their ancestors (whose trees contain them) are judged again. Kernel threads are left out.
/// </summary>
public sealed class HostWatch : IDisposable
{
    private readonly CriuOptions _options;
    private readonly HostFacts _host;
    private readonly ProcReader _reader = new();
    private Dictionary<int, ProcessSnapshot> _processes = [];
    private Dictionary<int, long> _fdCounts = [];
    private Dictionary<int, WatchState> _states = [];
    private Snapshot? _snapshot;
    private string _locks = string.Empty;
    private int _looks;
    private int _connector = -1;
    private readonly HashSet<int> _dirty = [];
    private readonly List<(uint What, int Pid)> _events = [];
    private readonly System.Diagnostics.Stopwatch _clock = new();

    /// <summary>Where the time of a look went (CHECKPOINTABLE_TIMING=1 prints it).</summary>
    public Action<string>? Timing { get; init; }

    public HostWatch(CriuOptions options, HostFacts? host = null)
    {
        _options = options;
        _host = host ?? HostProbe.Read();
    }

    /// <summary>Trees with more processes than this are judged again only every <see cref="LargeTreeEvery"/> looks when something below their root changed.</summary>
    public int LargeTree { get; init; } = 100;

    public int LargeTreeEvery { get; init; } = 10;

    /// <summary>Take process events from the proc connector where it can be opened (root); false: always list /proc.</summary>
    public bool UseProcConnector { get; init; } = true;

    /// <summary>Looks between two full scans of the host (the safety net for what fd counts do not show).</summary>
    public int FullEvery { get; init; } = 600;

    /// <summary>Each watched process (the root of its own tree) and what was last seen of it.</summary>
    public IReadOnlyDictionary<int, WatchState> States => _states;

    /// <summary>Processes read again since the start (not counting full scans): what the fingerprints saved.</summary>
    public long Reprobed { get; private set; }

    /// <summary>Whether process creation, exec and exit come from the kernel's proc connector (else from listing /proc).</summary>
    public bool UsesProcConnector => _connector >= 0;

    /// <summary>The first look: a full scan. One Started transition summarising the host.</summary>
    public List<Transition> Start()
    {
        int fd = ProcConnector.Open(); // before the scan: nothing that happens during it is missed
        _connector = fd >= 0 && UseProcConnector ? fd : -1;
        if (fd >= 0 && _connector < 0)
        {
            ProcConnector.Close(fd);
        }

        FullScan();
        int ok = _states.Values.Count(s => s.Verdict == 1);
        return
        [
            new Transition
            {
                At = DateTimeOffset.UtcNow, Kind = TransitionKind.Started, Root = 0, Pid = 0, To = ok > 0 ? 1 : 0,
                Reason = $"{_states.Count} processes, {ok} checkpointable as roots of their trees; process events from "
                    + (UsesProcConnector ? "the proc connector" : "listing /proc"),
            },
        ];
    }

    public List<Transition> Poll()
    {
        var before = _states;
        if (++_looks % FullEvery == 0)
        {
            FullScan();
            return Differ.DiffHost(before, _states, DateTimeOffset.UtcNow);
        }

        _clock.Restart();
        var cpu = Environment.CpuUsage.TotalTime;
        var changed = new List<int>();
        var pids = Pids(changed);
        var seen = new HashSet<int>(pids.Count);
        foreach (int pid in pids)
        {
            seen.Add(pid);
            if (!_fdCounts.TryGetValue(pid, out long count))
            {
                changed.Add(pid);
            }
            else if (count >= 0 && Libc.FdCount(pid) is var now && now >= 0 && now != count)
            {
                changed.Add(pid);
            }
        }

        var gone = _fdCounts.Keys.Where(p => !seen.Contains(p)).ToList();
        string locks = _reader.ReadText("/proc/locks", record: false) ?? string.Empty;
        if (locks != _locks)
        {
            var (holders, files) = LockChanges(_locks, locks);
            changed.AddRange(holders.Where(p => seen.Contains(p) && _fdCounts.ContainsKey(p)));
            changed.AddRange(_processes.Values.Where(p => p.Fds.Any(f => f.Stat is { } st && files.Contains((st.Device, st.Inode)))).Select(p => p.Pid));
            _locks = locks;
        }

        var fingerprinted = _clock.Elapsed;
        if (changed.Count == 0 && gone.Count == 0)
        {
            Timing?.Invoke($"look: {pids.Count} pids, fingerprints {fingerprinted.TotalMilliseconds:0} ms; nothing changed; cpu {(Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds:0.0} ms");
            return [];
        }

        var parentsOfGone = gone.Select(p => _processes.TryGetValue(p, out var s) ? s.Stat?.ParentPid ?? 0 : 0).ToList();
        foreach (int pid in gone)
        {
            _fdCounts.Remove(pid);
            _processes.Remove(pid);
        }

        var settings = Settings(locks);
        foreach (int pid in changed.Distinct())
        {
            _fdCounts[pid] = Libc.FdCount(pid); // before the read: a change while reading shows at the next look
            var p = ProcessProbe.Read(pid, _host, settings);
            Reprobed++;
            if (p.Gone)
            {
                _fdCounts.Remove(pid);
                _processes.Remove(pid);
                continue;
            }

            if (p.Stat is { IsKernelThread: true })
            {
                _fdCounts[pid] = -1; // never looked at again
            }

            _processes[pid] = p;
        }

        var probed = _clock.Elapsed;
        var snapshot = HostSnapshot.Update(_snapshot!, new Dictionary<int, ProcessSnapshot>(_processes), changed);
        var assembled = _clock.Elapsed;
        _processes = new Dictionary<int, ProcessSnapshot>(snapshot.Processes);
        var after = new Dictionary<int, WatchState>(_states);
        foreach (int pid in gone)
        {
            after.Remove(pid);
        }

        var changedSet = changed.ToHashSet();
        var roots = WithAncestors(snapshot, changed.Concat(parentsOfGone));
        bool catchUp = _looks % LargeTreeEvery == 0;
        if (catchUp)
        {
            roots.UnionWith(_dirty);
            _dirty.Clear();
        }

        int judged = 0, judgedMembers = 0;
        foreach (int root in roots)
        {
            // A large tree above a change is judged again every few looks, not at each change below it.
            if (!catchUp && !changedSet.Contains(root) && after.TryGetValue(root, out var large) && large.TreeSize > LargeTree)
            {
                _dirty.Add(root);
                continue;
            }

            // A tree holding criu's own lineage is refused by T5 whatever else changes below its root.
            if (!changedSet.Contains(root) && after.TryGetValue(root, out var old) && old.Blockers.Keys.Any(k => k.RuleId == "T5"))
            {
                continue;
            }

            after.Remove(root);
            if (snapshot.Processes.TryGetValue(root, out var p) && !p.Gone && p.Stat is { IsKernelThread: false })
            {
                after[root] = WatchState.Of(Judge.Run(snapshot, root, _options, verifyRemedy: false), ownOnly: true);
                judged++;
                judgedMembers += after[root].TreeSize;
            }
        }

        _states = after;
        _snapshot = snapshot;
        Timing?.Invoke($"look: {pids.Count} pids, fingerprints {fingerprinted.TotalMilliseconds:0} ms; {changed.Count} changed, {gone.Count} gone: "
            + $"probe {(probed - fingerprinted).TotalMilliseconds:0} ms, snapshot {(assembled - probed).TotalMilliseconds:0} ms, judge {(_clock.Elapsed - assembled).TotalMilliseconds:0} ms ({judged} trees, {judgedMembers} processes); cpu {(Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds:0.0} ms");
        return Differ.DiffHost(before, after, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// The pids to look at: from the proc connector's fork and exit events (exec adds to <paramref name="changed"/>),
    /// or, without it or when the kernel dropped events, from listing /proc.
    /// </summary>
    private List<int> Pids(List<int> changed)
    {
        if (_connector >= 0)
        {
            _events.Clear();
            if (ProcConnector.Drain(_connector, _events) == 0)
            {
                var born = new HashSet<int>();
                var died = new HashSet<int>();
                foreach (var (what, pid) in _events)
                {
                    if (what == ProcConnector.PROC_EVENT_FORK)
                    {
                        born.Add(pid);
                        died.Remove(pid);
                    }
                    else if (what == ProcConnector.PROC_EVENT_EXIT)
                    {
                        died.Add(pid);
                    }
                    else if (_fdCounts.TryGetValue(pid, out long count) && count >= 0)
                    {
                        changed.Add(pid); // exec: new mappings, maybe fewer fds
                    }
                }

                return _fdCounts.Keys.Where(p => !died.Contains(p)).Concat(born.Where(p => !died.Contains(p) && !_fdCounts.ContainsKey(p))).ToList();
            }
        }

        return _reader.ListNumbers("/proc", record: false) ?? [];
    }

    public void Dispose()
    {
        if (_connector >= 0)
        {
            ProcConnector.Close(_connector);
            _connector = -1;
        }
    }

    private void FullScan()
    {
        var pids = _reader.ListNumbers("/proc", record: false) ?? [];
        var counts = pids.ToDictionary(p => p, p => Libc.FdCount(p));
        _locks = _reader.ReadText("/proc/locks", record: false) ?? string.Empty;
        var scan = Predictor.JudgeHost(_options, _host);
        _processes = new Dictionary<int, ProcessSnapshot>(scan.Snapshot.Processes);
        _snapshot = scan.Snapshot;
        _fdCounts = [];
        foreach (var (pid, p) in _processes)
        {
            if (!p.Gone)
            {
                _fdCounts[pid] = p.Stat is { IsKernelThread: true } ? -1 : counts.GetValueOrDefault(pid, -1);
            }
        }

        _states = scan.Judgements.Where(j => j.Snapshot.Processes[j.Tree.Root].Stat is { IsKernelThread: false })
            .ToDictionary(j => j.Tree.Root, j => WatchState.Of(j, ownOnly: true));
    }

    private static ProbeSettings Settings(string locks) =>
        new() { AllFdInfo = false, LockedFiles = LocksParser.LockedFiles(locks), SocketProtocols = false };

    /// <summary>
    /// The /proc/locks lines in one text and not the other: the pids they name and the files they lock. The pid
    /// is whoever took the lock (-1 for OFD locks), not always who holds the fd now, hence the files.
    /// </summary>
    internal static (HashSet<int> Pids, HashSet<(DeviceId Device, ulong Inode)> Files) LockChanges(string before, string after)
    {
        var a = before.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(StripOrdinal).ToHashSet();
        var b = after.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(StripOrdinal).ToHashSet();
        a.SymmetricExceptWith(b);
        var pids = new HashSet<int>();
        foreach (string line in a)
        {
            // "FLOCK  ADVISORY  WRITE 1234 fe:00:5678 0 EOF": the pid is the fourth field.
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 3 && int.TryParse(fields[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid))
            {
                pids.Add(pid);
            }
        }

        return (pids, LocksParser.LockedFiles(string.Join('\n', a)));
    }

    /// <summary>"12: FLOCK ..." without its ordinal, which shifts when another lock goes away.</summary>
    private static string StripOrdinal(string line) => line.IndexOf(':') is var i && i >= 0 && i < 12 ? line[(i + 1)..] : line;

    /// <summary>The given pids and every ancestor of theirs in the snapshot: the trees that contain them.</summary>
    private static HashSet<int> WithAncestors(Snapshot snapshot, IEnumerable<int> pids)
    {
        var set = new HashSet<int>();
        foreach (int start in pids)
        {
            for (int pid = start; pid > 0 && set.Add(pid);)
            {
                pid = snapshot.Processes.TryGetValue(pid, out var p) ? p.Stat?.ParentPid ?? 0 : 0;
            }
        }

        return set;
    }
}
