using Checkpointable.Model;

namespace Checkpointable.Probes;

/// <summary>How much a process probe reads. The whole-host scan reads only what its rules need.</summary>
public sealed class ProbeSettings
{
    /// <summary>Read fdinfo of every fd (one tree, and the fdinfo command) instead of only where a rule needs it.</summary>
    public bool AllFdInfo { get; init; } = true;

    /// <summary>Files that /proc/locks says are locked (device, inode); used when <see cref="AllFdInfo"/> is off.</summary>
    public IReadOnlySet<(DeviceId Device, ulong Inode)>? LockedFiles { get; init; }

    /// <summary>Read system.sockprotoname of every socket fd (to know which sock_diag families to dump).</summary>
    public bool SocketProtocols { get; init; } = true;
}
