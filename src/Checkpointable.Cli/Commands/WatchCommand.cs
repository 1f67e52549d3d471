using Checkpointable.Options;
using Checkpointable.Predict;
using Checkpointable.Render;
using Checkpointable.Watch;

namespace Checkpointable.Cli.Commands;

/// <summary>
/// `checkpointable watch [-t PID] [--json] [--interval 1s] [criu options]`: one line per transition until the
/// tree exits or the watch is interrupted (SIGINT/SIGTERM), then exit 0.
/// </summary>
public static class WatchCommand
{
    public static int Run(int? pid, bool json, string interval, IReadOnlyList<string> criuTokens, CriuCaps caps, TextWriter output)
    {
        var period = Period(interval);
        var options = Predictor.Options(criuTokens, caps);
        using var stop = Interruption.Listen();
        var stream = pid is { } p
            ? Watcher.WatchTree(p, options, period, cancel: stop.Token)
            : Watcher.WatchHost(options, period, cancel: stop.Token);
        return Print(stream, json, output).GetAwaiter().GetResult();
    }

    private static async Task<int> Print(IAsyncEnumerable<Transition> stream, bool json, TextWriter output)
    {
        await foreach (var t in stream.ConfigureAwait(false))
        {
            output.Write(json ? TransitionJsonRenderer.Render(t) : TransitionTextRenderer.Render(t));
            output.Flush();
        }

        return ExitCodes.Checkpointable;
    }

    /// <summary>The --interval value: at least 10 ms.</summary>
    public static TimeSpan Period(string interval)
    {
        var period = DurationParser.Parse(interval, "--interval");
        return period >= TimeSpan.FromMilliseconds(10)
            ? period
            : throw new UserFacingException($"--interval: '{interval}' is too short (at least 10ms)");
    }
}
