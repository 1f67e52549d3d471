using Checkpointable.Options;
using Checkpointable.Probes;
using Checkpointable.Render;
using Checkpointable.Rules;

namespace Checkpointable.Cli.Commands;

/// <summary>`checkpointable` with no PID: every process of the host, each judged as the root of its own tree.</summary>
public static class HostCommand
{
    public static int Run(bool json, IReadOnlyList<string> criuTokens, TextWriter output)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var options = CriuOptionParser.Effective(criuTokens);
        var host = HostProbe.Read();
        var snapshot = Collector.CollectHost(host);
        var collected = clock.Elapsed;
        var rows = snapshot.Processes.Values
            .Where(p => !p.Gone && p.Stat is not null)
            .OrderBy(p => p.Pid)
            .AsParallel()
            .AsOrdered()
            .Select(p => HostTableRenderer.Row(Judge.Run(snapshot, p.Pid, options, verifyRemedy: false)))
            .ToList();
        var judged = clock.Elapsed;
        output.Write(json ? JsonRenderer.Render(rows) : HostTableRenderer.Render(rows));

        // CHECKPOINTABLE_TIMING=1 prints where the time went.
        if (Environment.GetEnvironmentVariable("CHECKPOINTABLE_TIMING") == "1")
        {
            Console.Error.WriteLine($"timing: collect {collected.TotalMilliseconds:0} ms, judge {(judged - collected).TotalMilliseconds:0} ms, render {(clock.Elapsed - judged).TotalMilliseconds:0} ms");
        }
        return ExitCodes.Checkpointable;
    }
}
