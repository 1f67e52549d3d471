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
    char State)
{
    /// <summary>The Uid: line (real, effective, saved, fs); null when it is missing or malformed.</summary>
    public CredentialIds? Uids { get; init; }

    /// <summary>The Gid: line (real, effective, saved, fs); null when it is missing or malformed.</summary>
    public CredentialIds? Gids { get; init; }

    /// <summary>CapEff: the effective capabilities (read for the checker itself: criu's set by default).</summary>
    public CapabilitySet? CapEff { get; init; }

    /// <summary>CapInh: inheritable capabilities (for a criu binary with file capabilities exec'ed from here).</summary>
    public CapabilitySet? CapInh { get; init; }

    /// <summary>CapBnd: the bounding set, which caps what an exec'ed criu can gain.</summary>
    public CapabilitySet? CapBnd { get; init; }

    /// <summary>CapAmb: ambient capabilities, kept across an exec by a non-root user.</summary>
    public CapabilitySet? CapAmb { get; init; }

    /// <summary>The real uid (0 when the Uid: line could not be parsed).</summary>
    public uint Uid => Uids?.Real ?? 0;

    /// <summary>The pid as seen in the process's own (innermost) pid namespace.</summary>
    public int InnermostPid => NsPid.Count > 0 ? NsPid[^1] : Pid;

    /// <summary>The session id in the innermost pid namespace; 0 means the leader is outside it.</summary>
    public int InnermostSid => NsSid.Count > 0 ? NsSid[^1] : -1;
}
