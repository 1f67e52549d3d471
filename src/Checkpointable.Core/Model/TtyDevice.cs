namespace Checkpointable.Model;

/// <summary>Which tty a terminal fd stands for (CRIU tty.c: drivers by major, ptmx by its tty-index).</summary>
public static class TtyDevice
{
    public static readonly DeviceId DevTty = new(5, 0);
    public static readonly DeviceId Console = new(5, 1);
    public static readonly DeviceId Ptmx = new(5, 2);

    /// <summary>A pty master (ptmx or a UNIX98 master 128–135).</summary>
    public static bool IsPtyMaster(DeviceId rdev) => rdev == Ptmx || rdev.Major is >= 128 and <= 135;

    /// <summary>A UNIX98 pty slave /dev/pts/N (136–143).</summary>
    public static bool IsPtySlave(DeviceId rdev) => rdev.Major is >= 136 and <= 143;

    public static bool IsTerminal(DeviceId rdev) =>
        rdev.Major == 4 || rdev.Major == 5 && rdev.Minor <= 2 || rdev.Major is >= 128 and <= 143 || rdev.Major is 188 or 204;

    /// <summary>The pts number of a slave: minor plus 256 for each major above 136.</summary>
    public static int PtsIndex(DeviceId rdev) => (int)(((rdev.Major - 136) * 256) + rdev.Minor);

    /// <summary>The device a session sees as its controlling tty when it holds this fd (a master stands for its slave).</summary>
    public static DeviceId? Of(DeviceId rdev, FdInfo? info)
    {
        if (rdev == Ptmx)
        {
            return info?.TtyIndex is { } n ? new DeviceId((uint)(136 + (n / 256)), (uint)(n % 256)) : null;
        }

        if (rdev == DevTty)
        {
            return null;
        }

        return IsTerminal(rdev) ? rdev : null;
    }
}
