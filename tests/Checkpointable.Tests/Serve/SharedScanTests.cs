using Checkpointable.Serve;
using Xunit;

namespace Checkpointable.Tests.Serve;

/// <summary>Concurrent callers share one scan; a young result is reused; an old one or a failure is not.</summary>
public class SharedScanTests
{
    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CallersArrivingDuringAScanAwaitThatScan()
    {
        using var gate = new ManualResetEventSlim();
        int produced = 0;
        var scan = new SharedScan<object>(() => { Interlocked.Increment(ref produced); gate.Wait(Bound); return new object(); }, TimeSpan.Zero, new ManualTime());

        var callers = Enumerable.Range(0, 20).Select(_ => scan.GetAsync()).ToList();
        gate.Set();
        var results = await Task.WhenAll(callers).WaitAsync(Bound);

        Assert.Equal(1, produced);
        Assert.Equal(1, scan.Runs);
        Assert.All(results, r => Assert.Same(results[0], r));
    }

    [Fact]
    public async Task AResultYoungerThanMinAgeIsReusedAndAnOlderOneIsRefreshedInTheBackground()
    {
        var time = new ManualTime();
        int produced = 0;
        using var gate = new ManualResetEventSlim(true);
        var scan = new SharedScan<object>(() => { Interlocked.Increment(ref produced); gate.Wait(Bound); return new object(); }, TimeSpan.FromSeconds(2), time);

        var first = await scan.GetAsync().WaitAsync(Bound);
        time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Same(first, await scan.GetAsync().WaitAsync(Bound));
        Assert.Equal(1, scan.Runs);

        // Old now: the caller gets the old result at once, and one refresh starts (however many callers come).
        gate.Reset();
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Same(first, await scan.GetAsync().WaitAsync(Bound));
        Assert.Same(first, await scan.GetAsync().WaitAsync(Bound));
        Assert.Equal(2, scan.Runs);
        gate.Set();

        var deadline = DateTime.UtcNow + Bound;
        object latest = first;
        while (ReferenceEquals(latest, first) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
            latest = await scan.GetAsync().WaitAsync(Bound);
        }

        Assert.NotSame(first, latest);
        Assert.Equal(2, produced);
    }

    [Fact]
    public async Task AFailedFirstScanIsCountedAndNotCached()
    {
        int calls = 0;
        var scan = new SharedScan<object>(() => ++calls == 1 ? throw new IOException("boom") : new object(), TimeSpan.FromMinutes(1), new ManualTime());

        await Assert.ThrowsAsync<IOException>(() => scan.GetAsync().WaitAsync(Bound));
        Assert.Equal(1, scan.Failures);
        Assert.NotNull(await scan.GetAsync().WaitAsync(Bound));
        Assert.Equal(2, scan.Runs);
    }
}
