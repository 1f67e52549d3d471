using Checkpointable.Model;
using Checkpointable.Options;
using Checkpointable.Probes;
using Checkpointable.Rules;
using Checkpointable.Watch;

namespace Checkpointable.Predict;

/// <summary>
/// The self-query API: a .NET application asks whether it (with its children) could be checkpointed now.
/// criu would then be run from outside, by an orchestrator, not from inside the process asking: so the asker
/// is judged as if criu ran next to it, from its parent's side. Its ancestors stay criu's lineage (they are
/// outside the tree anyway), the asker itself does not count as criu (rule T5 would make every answer 0).
/// </summary>
public static class Self
{
    /// <summary>The tree of this process judged as `criu dump -t $(pid)` run from outside would see it.</summary>
    /// <param name="options">criu's options; null: none besides criu's config files.</param>
    public static Judgement Judge(CriuOptions? options = null) =>
        Predictor.JudgeTree(Environment.ProcessId, options ?? Predictor.Options([]), Outside(), verifyRemedy: true);

    /// <summary>This process's tree as transitions: the starting state, then every change, one look per interval.</summary>
    public static IAsyncEnumerable<Transition> Watch(TimeSpan interval, CriuOptions? options = null, CancellationToken cancel = default) =>
        Watcher.WatchTree(Environment.ProcessId, options ?? Predictor.Options([]), interval, Outside(), cancel);

    /// <summary>This host's facts, with criu standing outside this process: our lineage minus ourselves.</summary>
    internal static HostFacts Outside()
    {
        var h = HostProbe.Read();
        var lineage = h.CheckerLineage.Where(p => p != Environment.ProcessId).ToHashSet();
        return new HostFacts
        {
            CheckerLineage = lineage,
            CheckerPid = 0,
            CheckerNamespaces = h.CheckerNamespaces,
            IsRoot = h.IsRoot,
            EffectiveUserId = h.EffectiveUserId,
            CheckerPrivileges = h.CheckerPrivileges,
            CriuFilePrivileges = h.CriuFilePrivileges,
            ShmemDevice = h.ShmemDevice,
            Tools = h.Tools,
            CriuHasNftables = h.CriuHasNftables,
            CriuPath = h.CriuPath,
            Plugins = h.Plugins,
            KernelRelease = h.KernelRelease,
        };
    }
}
