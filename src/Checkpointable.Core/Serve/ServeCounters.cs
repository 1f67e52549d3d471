namespace Checkpointable.Serve;

/// <summary>What serve counts between scans: requests turned away by the scan cap, and per-target scans run.</summary>
public sealed class ServeCounters
{
    private long _rejected;
    private long _targetScans;

    public long Rejected => Interlocked.Read(ref _rejected);

    public long TargetScans => Interlocked.Read(ref _targetScans);

    public void Reject() => Interlocked.Increment(ref _rejected);

    public void TargetScan() => Interlocked.Increment(ref _targetScans);
}
