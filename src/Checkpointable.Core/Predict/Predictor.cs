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
    /// <summary>criu's options from its command-line tokens plus its config files, as criu would read them.</summary>
    public static CriuOptions Options(IReadOnlyList<string> criuTokens) => CriuOptionParser.Effective(criuTokens);

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
        return new HostScan(snapshot, judgements, collected, clock.Elapsed - collected);
    }
}
