namespace Checkpointable.Model;

/// <summary>The fields of /proc/P/stat the rules use (proc(5) numbering in comments).</summary>
public sealed record ProcStat(
    int Pid,
    string Comm,
    char State,
    int ParentPid,
    int ProcessGroup,
    int Session,
    DeviceId ControllingTty,
    int ForegroundGroup,
    uint Flags,
    ulong StartTime,
    ulong StartCode,
    ulong StartStack,
    ulong StartBrk)
{
    /// <summary>PF_KTHREAD (include/linux/sched.h).</summary>
    public bool IsKernelThread => (Flags & 0x00200000) != 0;

    public bool HasControllingTty => ControllingTty != default;
}
