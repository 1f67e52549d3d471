namespace Checkpointable.Model;

/// <summary>One line of /proc/P/maps, plus the stat of its map_files entry where a rule needed it.</summary>
public sealed record MemoryMapping(
    ulong Start,
    ulong End,
    string Permissions,
    ulong Offset,
    DeviceId Device,
    ulong Inode,
    string Path)
{
    /// <summary>statx of /proc/P/map_files/START-END (null where not probed or unreadable).</summary>
    public FileStat? FileStat { get; init; }

    /// <summary>errno of that statx, 0 when it worked or was not tried.</summary>
    public int FileStatErrno { get; init; }

    /// <summary>errno of a stat of the path column as it is (in the process's root), where the mapped file still has links.</summary>
    public int PathErrno { get; init; }

    /// <summary>Mount id of the mapped file; read only for processes outside our mount namespace, else -1.</summary>
    public int MountId { get; init; } = -1;

    public bool IsShared => Permissions.Length > 3 && Permissions[3] == 's';

    public bool IsExecutable => Permissions.Length > 2 && Permissions[2] == 'x';

    public bool PathDeleted => Path.EndsWith(" (deleted)", StringComparison.Ordinal);

    public string Range => $"{Start:x}-{End:x}";
}
