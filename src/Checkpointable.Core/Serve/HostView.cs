using Checkpointable.Containers;
using Checkpointable.Predict;

namespace Checkpointable.Serve;

/// <summary>One host scan as serve shows it: every process judged, the containers found and each container judged.</summary>
public sealed record HostView(HostScan Scan, ContainerIndex Containers, IReadOnlyList<ContainerJudgement> ContainerJudgements, TimeSpan Duration, DateTimeOffset FinishedAt)
{
    /// <summary>Scan the host once: processes (<see cref="Predictor.JudgeHost"/>), then containers from the same snapshot.</summary>
    public static HostView Take(IReadOnlyList<string> criuTokens, Options.CriuCaps? caps = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var scan = Predictor.JudgeHost(Predictor.Options(criuTokens, caps));
        var judged = Predictor.JudgeContainers(scan, scan.Containers, criuTokens, caps);
        return new HostView(scan, scan.Containers, judged, clock.Elapsed, DateTimeOffset.UtcNow);
    }
}
