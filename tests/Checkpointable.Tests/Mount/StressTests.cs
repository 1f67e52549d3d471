using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Mount;

/// <summary>
/// 8 concurrent readers open and read whole files of processes that come and go: no error other than ENOENT for
/// a process that is gone, no crash, and memory that does not grow with the number of reads. (The full 100,000
/// reads run in bench/mount-stress.sh.)
/// </summary>
public sealed class StressTests(ITestOutputHelper output)
{
    private const int Readers = 8;
    private const int ReadsPerReader = 250;

    [SkippableFact]
    public async Task ConcurrentReadersOfComingAndGoingProcesses()
    {
        using var m = new MountedFileSystem();
        using var stable = Subject.Start("flock");
        var live = new List<int> { stable.RootPid };
        var gonePids = new Queue<int>();
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var s = Subject.Start("tcp-established-external");
                lock (live)
                {
                    live.Add(s.RootPid);
                }

                Thread.Sleep(100);
                lock (live)
                {
                    live.Remove(s.RootPid);
                    gonePids.Enqueue(s.RootPid); // readers still pick it now and then: it exits while read
                    while (gonePids.Count > 3)
                    {
                        gonePids.Dequeue();
                    }
                }
            }
        });

        // Warm up, then measure memory only over the reads that follow.
        for (int i = 0; i < 20; i++)
        {
            File.ReadAllBytes(m.PathOf(stable.RootPid.ToString(), "checkpointable"));
        }

        long rssBefore = m.RssKiB();
        int ok = 0, gone = 0;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        string[] files = ["checkpointable", "reasons", "checkpointable.json", "fdinfo/0", "fdinfo/3"];
        Parallel.For(0, Readers, new ParallelOptions { MaxDegreeOfParallelism = Readers }, r =>
        {
            var random = new Random(r);
            for (int i = 0; i < ReadsPerReader; i++)
            {
                int pid;
                lock (live)
                {
                    pid = random.Next(4) == 0 && gonePids.Count > 0 ? gonePids.ElementAt(random.Next(gonePids.Count)) : live[random.Next(live.Count)];
                }

                string path = m.PathOf(pid.ToString(), files[random.Next(files.Length)]);
                try
                {
                    byte[] bytes = File.ReadAllBytes(path);
                    if (bytes.Length == 0)
                    {
                        errors.Enqueue($"{path}: empty");
                    }
                    else
                    {
                        Interlocked.Increment(ref ok);
                    }
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    Interlocked.Increment(ref gone);
                }
                catch (Exception e)
                {
                    errors.Enqueue($"{path}: {e.GetType().Name}: {e.Message}");
                }
            }
        });
        stop.Cancel();
        await churn.WaitAsync(TimeSpan.FromSeconds(60));

        long rssAfter = m.RssKiB();
        output.WriteLine($"{ok} read, {gone} gone, {errors.Count} errors; RSS {rssBefore} -> {rssAfter} KiB");
        Assert.True(errors.IsEmpty, string.Join('\n', errors.Take(10)));
        Assert.Equal(Readers * ReadsPerReader, ok + gone);
        Assert.True(ok > Readers * ReadsPerReader / 2, $"only {ok} reads succeeded");
        Assert.False(m.Process.HasExited, m.Stderr);
        Assert.True(rssAfter - rssBefore < 64 * 1024, $"RSS grew from {rssBefore} to {rssAfter} KiB");
        Assert.DoesNotContain("internal error", m.Stderr, StringComparison.Ordinal);
    }
}
