namespace Checkpointable.Model;

/// <summary>One line of /proc/P/mountinfo (proc(5)); paths have their octal escapes decoded.</summary>
/// <remarks>
/// The optional fields say how the mount propagates (fs/proc_namespace.c show_mountinfo; criu reads them in
/// proc_parse.c:1399-1425 parse_mnt_opt): <c>shared:N</c> (MS_SHARED, peer group N), <c>master:N</c>
/// (MS_SLAVE, receives from peer group N), <c>propagate_from:N</c> (the nearest dominant peer group the
/// reader can see); 0 where the field is absent.
/// </remarks>
public sealed record MountEntry(
    int MountId,
    int ParentId,
    DeviceId Device,
    string Root,
    string MountPoint,
    string FsType,
    string Source,
    string SuperOptions)
{
    public int SharedGroup { get; init; }

    public int MasterGroup { get; init; }

    public int PropagateFrom { get; init; }
}
