namespace Checkpointable.Model;

/// <summary>How a read of /proc failed. Gone and Denied are different facts, never merged.</summary>
public enum ProbeFailure
{
    /// <summary>ENOENT/ESRCH: the process, thread or fd went away while being read.</summary>
    Gone,

    /// <summary>EACCES/EPERM: the kernel refused us; the evidence is unknown.</summary>
    Denied,

    /// <summary>Anything else, including text we could not parse.</summary>
    Failed,
}

/// <summary>A read that did not succeed, kept as evidence (failures are data, not exceptions).</summary>
public sealed record ProbeError(string Path, ProbeFailure Failure, string Detail)
{
    public static ProbeFailure Classify(int errno) => errno switch
    {
        Interop.Libc.ENOENT or Interop.Libc.ESRCH => ProbeFailure.Gone,
        Interop.Libc.EACCES or Interop.Libc.EPERM => ProbeFailure.Denied,
        _ => ProbeFailure.Failed,
    };

    public static ProbeError FromErrno(string path, int errno) =>
        new(path, Classify(errno), Interop.Libc.ErrnoName(errno));

    public override string ToString() => $"{Path}: {Detail}";
}
