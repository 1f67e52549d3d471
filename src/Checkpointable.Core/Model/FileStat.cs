namespace Checkpointable.Model;

/// <summary>What statx(2) says of an open file (followed through /proc/P/fd/N or /proc/P/map_files/R).</summary>
public readonly record struct FileStat(uint Mode, DeviceId Device, ulong Inode, DeviceId RDevice, uint Links, long Size, long Blocks)
{
    private const uint TypeMask = 0xf000;

    public uint FileType => Mode & TypeMask;

    public bool IsRegular => FileType == 0x8000;

    public bool IsDirectory => FileType == 0x4000;

    public bool IsSymlink => FileType == 0xa000;

    public bool IsCharDevice => FileType == 0x2000;

    public bool IsBlockDevice => FileType == 0x6000;

    public bool IsFifo => FileType == 0x1000;

    public bool IsSocket => FileType == 0xc000;

    /// <summary>Bytes actually allocated: what CRIU's ghost limit counts (st_blocks * 512).</summary>
    public long AllocatedBytes => Blocks * 512;

    /// <summary>The mode in CRIU's "[%o]" style, e.g. 20600 for a char device.</summary>
    public string OctalMode => Convert.ToString(Mode, 8);
}
