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
        var options = CriuOptionParser.Effective(criuTokens);
        var host = HostProbe.Read();
        var snapshot = Collector.CollectHost(host);
        var rows = snapshot.Processes.Values
            .Where(p => !p.Gone && p.Stat is not null)
            .OrderBy(p => p.Pid)
            .AsParallel()
            .AsOrdered()
            .Select(p => HostTableRenderer.Row(Judge.Run(snapshot, p.Pid, options)))
            .ToList();
        output.Write(json ? JsonRenderer.Render(rows) : HostTableRenderer.Render(rows));
        return ExitCodes.Checkpointable;
    }
}
