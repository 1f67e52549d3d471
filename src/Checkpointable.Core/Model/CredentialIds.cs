namespace Checkpointable.Model;

/// <summary>One of the Uid: or Gid: lines of /proc/PID/status: the real, effective, saved and filesystem id.</summary>
public readonly record struct CredentialIds(uint Real, uint Effective, uint Saved, uint Filesystem)
{
    public static CredentialIds Of(uint id) => new(id, id, id, id);

    /// <summary>
    /// The real, effective and saved ids all equal <paramref name="id"/>: what kernel/sys.c check_prlimit_permission
    /// asks of a target before it lets a caller without CAP_SYS_RESOURCE read its rlimits.
    /// </summary>
    public bool AreAll(uint id) => Real == id && Effective == id && Saved == id;

    public override string ToString() => $"{Real}/{Effective}/{Saved}";
}
