namespace Checkpointable.Model;

/// <summary>
/// A descriptor's link text resolved again from a root directory, as criu's check_path_remap does
/// (files-reg.c:1400: fstatat(mntns_root, path)), and where its link remap would go.
/// </summary>
/// <param name="Stat">What the path names now, or null.</param>
/// <param name="Errno">errno of that stat (ENOENT: the name is gone), 0 when it worked.</param>
/// <param name="RemapDirMountId">
/// When the name is gone: the mount id of the directory criu's link remap would link the file into (the
/// nearest existing parent, files-reg.c create_link_remap/trim_last_parent), or -1. linkat(2) across mounts
/// fails with EXDEV ("Can't link remap to %s", files-reg.c:1159).
/// </param>
public sealed record PathResolution(FileStat? Stat, int Errno, int RemapDirMountId);
