namespace Checkpointable.Serve;

/// <summary>
/// Single-flight with a minimum age: at most one scan runs at a time, and a flood of scrapes costs at most one
/// scan per <c>minAge</c> however many arrive. Before the first result, callers await the scan in flight; after
/// it, every caller gets the latest result at once, and one older than <c>minAge</c> starts a refresh in the
/// background (stale-while-revalidate: a scrape never waits for a host scan, and the result's own timestamp
/// says how old it is). A failed scan is counted and the previous result kept; the next caller starts another.
/// </summary>
public sealed class SharedScan<T>(Func<Task<T>> produce, TimeSpan minAge, TimeProvider? time = null)
    where T : class
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>A synchronous scan, run on the thread pool.</summary>
    public SharedScan(Func<T> produce, TimeSpan minAge, TimeProvider? time = null)
        : this(() => Task.Run(produce), minAge, time)
    {
    }

    private readonly Lock _lock = new();
    private Task<T>? _running;
    private T? _last;
    private long _lastAt;
    private long _runs;
    private long _failures;

    /// <summary>Scans started so far.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Scans that threw.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public Task<T> GetAsync()
    {
        lock (_lock)
        {
            if (_last is not null && _time.GetElapsedTime(_lastAt) < minAge)
            {
                return Task.FromResult(_last);
            }

            if (_running is null)
            {
                Interlocked.Increment(ref _runs);
                _running = Task.Run(Run);
                if (_last is not null)
                {
                    _running.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted); // counted in Failures
                }
            }

            return _last is not null ? Task.FromResult(_last) : _running;
        }
    }

    private async Task<T> Run()
    {
        try
        {
            var value = await produce().ConfigureAwait(false);
            lock (_lock)
            {
                _last = value;
                _lastAt = _time.GetTimestamp();
                _running = null;
            }

            return value;
        }
        catch
        {
            lock (_lock)
            {
                _failures++;
                _running = null;
            }

            throw;
        }
    }
}
