using Checkpointable.Options;
using Checkpointable.Predict;
using Checkpointable.Render;

namespace Checkpointable.Cli.Commands;

/// <summary>`checkpointable` with no PID: every process of the host, each judged as the root of its own tree.</summary>
public static class HostCommand
{
    public static int Run(bool json, IReadOnlyList<string> criuTokens, CriuCaps caps, TextWriter output)
    {
        var scan = Predictor.JudgeHost(Predictor.Options(criuTokens, caps));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rows = scan.Judgements.Select(j => HostTableRenderer.Row(j, scan.Containers)).ToList();
        output.Write(json ? JsonRenderer.Render(rows) : HostTableRenderer.Render(rows));

        // CHECKPOINTABLE_TIMING=1 prints where the time went.
        if (Environment.GetEnvironmentVariable("CHECKPOINTABLE_TIMING") == "1")
        {
            Console.Error.WriteLine($"timing: collect {scan.Collect.TotalMilliseconds:0} ms, judge {scan.Judge.TotalMilliseconds:0} ms, render {clock.Elapsed.TotalMilliseconds:0} ms");
        }
        return ExitCodes.Checkpointable;
    }
}
