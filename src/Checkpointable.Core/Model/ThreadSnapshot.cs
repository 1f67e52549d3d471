namespace Checkpointable.Model;

/// <summary>One thread of a process (from /proc/P/task/T/status).</summary>
public sealed record ThreadSnapshot(int Tid, char State, int TracerPid, ulong SigPnd, ulong ShdPnd);
