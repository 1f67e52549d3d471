using System.Diagnostics;
using Checkpointable.Model;
using Checkpointable.Options;
using Checkpointable.Probes;
using Checkpointable.Rules;

namespace Checkpointable.Predict;

/// <summary>
/// The one code path from a PID (or the host) to a judgement: the CLI, the FUSE mount, watch, serve and the
/// self-query API all call these, so their answers agree for the same process at the same moment.
/// </summary>
public static class Predictor
{
    /// <summary>
    /// criu's options from its command-line tokens plus its config files, as criu would read them, and the
    /// capability set criu is assumed to run with (our --criu-caps; null: the checker's own).
    /// </summary>
    public static CriuOptions Options(IReadOnlyList<string> criuTokens, CriuCaps? caps = null)
    {
        var options = CriuOptionParser.Effective(criuTokens);
        options.CriuCaps = caps ?? CriuCaps.Self;
        return options;
    }

    /// <summary>Judge the tree of <paramref name="pid"/> as `criu dump -t PID` with those options would.</summary>
    /// <exception cref="TargetException">No such process, a thread id, or the root exited while read.</exception>
    public static Judgement JudgeTree(int pid, CriuOptions options, HostFacts? host = null, bool verifyRemedy = true)
    {
        Target.Validate(pid);
        var snapshot = Collector.CollectTree(pid, host ?? HostProbe.Read());
        if (snapshot.Processes[pid].Gone)
        {
            throw new TargetException($"process {pid} exited while being read");
        }

        return Judge.Run(snapshot, pid, options, verifyRemedy: verifyRemedy);
    }

    /// <summary>
    /// Judge a container (an id, a name or a unique id prefix) as its runtime's checkpoint would: the tree of its
    /// init, with the request runc makes (<see cref="Containers.RuntimeOptions"/>) and <paramref name="userTokens"/>,
    /// and the refusals its engine makes before criu runs (<see cref="Containers.RuntimeRefusal"/>).
    /// </summary>
    /// <exception cref="TargetException">Not an id or name, no such container, an ambiguous prefix, or its init exited.</exception>
    public static ContainerJudgement JudgeContainer(string id, IReadOnlyList<string> userTokens, Containers.ContainerIndex? index = null, HostFacts? host = null, CriuCaps? caps = null)
    {
        index ??= Containers.ContainerScanner.Scan();
        var (container, init) = index.Resolve(id, () => Containers.ContainerNames.Read(Containers.ContainerStorage.Read(), index.Containers.Select(c => c.Container.Id)));
        var runtime = Containers.RuntimeOptions.Read(container, init);
        var judgement = JudgeTree(init, runtime.Options(userTokens, caps), host);
        return new ContainerJudgement(container, init, runtime, runtime.Refusal?.Apply(judgement, init) ?? judgement);
    }

    /// <summary>
    /// Every container of a host scan judged from the scan's snapshot (no second read of /proc), each with its
    /// runtime's request before <paramref name="userTokens"/>: what serve's per-container gauges show.
    /// </summary>
    public static IReadOnlyList<ContainerJudgement> JudgeContainers(HostScan scan, Containers.ContainerIndex index, IReadOnlyList<string> userTokens, CriuCaps? caps = null) =>
        index.Containers
            .Where(c => scan.Snapshot.Processes.TryGetValue(c.Init, out var p) && !p.Gone && p.Stat is not null)
            .OrderBy(c => c.Container.Id, StringComparer.Ordinal)
            .Select(c =>
            {
                var runtime = Containers.RuntimeOptions.Read(c.Container, c.Init);
                var judgement = Judge.Run(scan.Snapshot, c.Init, runtime.Options(userTokens, caps), verifyRemedy: false);
                return new ContainerJudgement(c.Container, c.Init, runtime, runtime.Refusal?.Apply(judgement, c.Init) ?? judgement);
            })
            .ToList();

    /// <summary>Every live process of the host, each judged as the root of its own tree (on all cores).</summary>
    public static HostScan JudgeHost(CriuOptions options, HostFacts? host = null)
    {
        var clock = Stopwatch.StartNew();
        var snapshot = Collector.CollectHost(host ?? HostProbe.Read());
        var collected = clock.Elapsed;
        var judgements = snapshot.Processes.Values
            .Where(p => !p.Gone && p.Stat is not null)
            .OrderBy(p => p.Pid)
            .AsParallel()
            .AsOrdered()
            .Select(p => Judge.Run(snapshot, p.Pid, options, verifyRemedy: false))
            .ToList();
        return new HostScan(snapshot, judgements, Containers.ContainerScanner.Scan(), collected, clock.Elapsed - collected);
    }
}
