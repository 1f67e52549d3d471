namespace Checkpointable.Mount;

/// <summary>What a path of the mount names.</summary>
public enum NodeKind
{
    NotFound,
    Root,
    HostTable,
    ProcessDir,
    Checkpointable,
    Reasons,
    Json,
    FdInfoDir,
    FdInfoFile,
}

/// <summary>A resolved path: its kind, and the process and descriptor it is about (0 and -1 when none).</summary>
public readonly record struct MountNode(NodeKind Kind, int Pid = 0, int Fd = -1)
{
    public static MountNode NotFound => new(NodeKind.NotFound);

    public bool IsDirectory => Kind is NodeKind.Root or NodeKind.ProcessDir or NodeKind.FdInfoDir;
}
