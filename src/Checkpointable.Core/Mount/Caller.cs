namespace Checkpointable.Mount;

/// <summary>Who asked: the FUSE request's file-system uid and gid (the caller's fsuid/fsgid) and its pid.</summary>
public readonly record struct Caller(uint Uid, uint Gid, int Pid)
{
    public bool IsRoot => Uid == 0;
}
