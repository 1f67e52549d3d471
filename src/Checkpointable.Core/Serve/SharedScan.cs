namespace Checkpointable.Serve;

/// <summary>
/// Single-flight with a minimum age: callers that arrive while a scan runs await that same scan, and a result
/// younger than <c>minAge</c> is handed out again, so a flood of scrapes costs at most one scan per
/// <c>minAge</c> however many arrive. A failed scan is not cached: the next caller starts another.
/// </summary>
public sealed class SharedScan<T>(Func<T> produce, TimeSpan minAge, TimeProvider? time = null)
    where T : class
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
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
            }

            return _running;
        }
    }

    private T Run()
    {
        try
        {
            var value = produce();
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
