using System.Collections.Concurrent;
using Checkpointable.Tests.Live;
using Checkpointable.Tests.Mount;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Churn;

/// <summary>Runs alone: the load would otherwise slow every other live test on a 2-core machine.</summary>
[CollectionDefinition("churn", DisableParallelization = true)]
public sealed class ChurnCollection;

/// <summary>
/// A host under process churn (tests/churn/churn.c: 500 processes a second, each with fds, sockets and a child):
/// every observer of <see cref="ChurnObserver.All"/> runs over and over beside it. Every run must end (bounded by
/// CliRunner), with an expected exit code (never 2: a process exiting mid-scan is gone, not an error), and the
/// stable trees must keep their verdicts in every scan. CHECKPOINTABLE_CHURN_SECONDS overrides the 30 s.
/// </summary>
[Collection("churn")]
public sealed class ChurnTests(ITestOutputHelper output)
{
    private const int Rate = 500;

    [SkippableFact]
    public void ScansBesideChurnNeverFailAndStableTreesKeepTheirVerdicts()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("CHECKPOINTABLE_CHURN_SECONDS"), out int s) ? s : 30;
        using var flock = Subject.Start("flock");
        using var sleep = Subject.Start("sleep");
        using var mount = new MountedFileSystem();
        string flockFlags = File.ReadAllText(mount.PathOf(flock.RootPid.ToString(), "checkpointable"));
        string sleepFlags = File.ReadAllText(mount.PathOf(sleep.RootPid.ToString(), "checkpointable"));
        Assert.Contains("locks: 0\n", flockFlags, StringComparison.Ordinal);
        Assert.DoesNotContain(": 0\n", sleepFlags, StringComparison.Ordinal);
        using var ended = new CancellationTokenSource();
        var runs = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        var load = new ChurnLoad(TimeSpan.FromSeconds(seconds), Rate);
        var scene = new ChurnScene(flock.RootPid, sleep.RootPid, load.Pid, mount.Dir, flockFlags, sleepFlags, ended.Token);
        try
        {
            var threads = ChurnObserver.All.Select(o => new Thread(() =>
            {
                while (load.Running)
                {
                    try
                    {
                        o.RunOnce(scene);
                        runs.AddOrUpdate(o.Name, 1, (_, n) => n + 1);
                    }
                    catch (Exception ex)
                    {
                        failures.Enqueue($"{o.Name}: {ex.Message}");
                        runs.AddOrUpdate(o.Name + " (failed)", 1, (_, n) => n + 1);
                    }
                }
            })
            { IsBackground = true, Name = o.Name }).ToList();
            threads.ForEach(t => t.Start());
            load.WaitForEnd(TimeSpan.FromSeconds(seconds + 60));
            ended.Cancel();
            foreach (var t in threads)
            {
                Assert.True(t.Join(TimeSpan.FromSeconds(180)), $"observer {t.Name} still running 180 s after the churn ended");
            }
        }
        finally
        {
            load.Dispose();
        }

        output.WriteLine(load.Summary);
        foreach (var (name, n) in runs.OrderBy(r => r.Key))
        {
            output.WriteLine($"{name}: {n} runs");
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} failed runs:\n{string.Join("\n", failures.Take(5))}");
        Assert.True(load.Started >= seconds * 30, $"the load did not churn: {load.Summary}");
        Assert.True(load.Reaped >= load.Started, $"not every process was reaped: {load.Summary}");
        foreach (var o in ChurnObserver.All)
        {
            Assert.True(runs.GetValueOrDefault(o.Name) >= 2, $"{o.Name} ran {runs.GetValueOrDefault(o.Name)} times");
        }
    }
}
