using System.Diagnostics;
using System.Globalization;
using Checkpointable.Options;
using Checkpointable.Predict;
using Checkpointable.Render;
using Checkpointable.Rules;
using Checkpointable.Watch;

namespace Checkpointable.Cli.Commands;

/// <summary>
/// `checkpointable wait -t PID [--timeout 30s] [--interval 1s] [criu options]`: blocks until the tree is
/// checkpointable with those options (exit 0), for `checkpointable wait -t $P &amp;&amp; criu dump -t $P`.
/// Exit 1 on timeout, with the blockers that remained; 2 when the tree exits or on bad input.
/// </summary>
public static class WaitCommand
{
    public static int Run(int pid, string? timeout, string interval, IReadOnlyList<string> criuTokens, CriuCaps caps, TextWriter output)
    {
        var period = WatchCommand.Period(interval);
        TimeSpan? limit = timeout is null ? null : DurationParser.Parse(timeout, "--timeout");
        using var stop = Interruption.Listen();
        var clock = Stopwatch.StartNew();
        var watch = new TreeWatch(pid, Predictor.Options(criuTokens, caps));
        watch.Start();
        if (watch.Current!.Verdict != Verdict.Checkpointable)
        {
            output.WriteLine($"waiting: {Differ.Summary(watch.State!)}");
        }

        while (true)
        {
            if (watch.IsGone)
            {
                Console.Error.WriteLine($"checkpointable: the tree of {pid} exited while waiting");
                return ExitCodes.Error;
            }

            var j = watch.Current!;
            if (j.Verdict == Verdict.Checkpointable)
            {
                output.WriteLine($"{SeedTextRenderer.VerdictLine(j)} after {Seconds(clock.Elapsed)}");
                return ExitCodes.Checkpointable;
            }

            var left = limit is { } l ? l - clock.Elapsed : Timeout.InfiniteTimeSpan;
            if (limit is not null && left <= TimeSpan.Zero)
            {
                foreach (var f in j.Findings.Where(f => f.Blocks || (f.Severity == Severity.Unknown && !f.Lifted)))
                {
                    output.WriteLine($"{f.Pid} {Text.Sanitize(f.Resource)}: {Text.Line(f)}");
                }

                Console.Error.WriteLine($"checkpointable: timed out after {Seconds(clock.Elapsed)}: the tree of {pid} is still not checkpointable");
                return ExitCodes.NotCheckpointable;
            }

            var sleep = limit is null || left > period ? period : left;
            if (stop.Token.WaitHandle.WaitOne(sleep))
            {
                Console.Error.WriteLine("checkpointable: wait interrupted");
                return ExitCodes.Error;
            }

            watch.Poll();
        }
    }

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s");
}
