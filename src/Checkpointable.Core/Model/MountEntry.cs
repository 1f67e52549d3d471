namespace Checkpointable.Model;

/// <summary>One line of /proc/P/mountinfo (proc(5)); paths have their octal escapes decoded.</summary>
public sealed record MountEntry(
    int MountId,
    int ParentId,
    DeviceId Device,
    string Root,
    string MountPoint,
    string FsType,
    string Source,
    string SuperOptions);
