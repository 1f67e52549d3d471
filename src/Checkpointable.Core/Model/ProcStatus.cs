namespace Checkpointable.Model;

/// <summary>The fields of /proc/P/status (or task/T/status) the rules use.</summary>
public sealed record ProcStatus(
    int Tgid,
    int Pid,
    int TracerPid,
    int Threads,
    IReadOnlyList<int> NsPid,
    IReadOnlyList<int> NsSid,
    ulong SigPnd,
    ulong ShdPnd,
    uint Uid,
    char State)
{
    /// <summary>The pid as seen in the process's own (innermost) pid namespace.</summary>
    public int InnermostPid => NsPid.Count > 0 ? NsPid[^1] : Pid;

    /// <summary>The session id in the innermost pid namespace; 0 means the leader is outside it.</summary>
    public int InnermostSid => NsSid.Count > 0 ? NsSid[^1] : -1;
}
