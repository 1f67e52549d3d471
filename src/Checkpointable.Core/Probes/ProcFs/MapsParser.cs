using System.Globalization;
using Checkpointable.Model;

namespace Checkpointable.Probes.ProcFs;

/// <summary>Parses /proc/P/maps (fs/proc/task_mmu.c show_map_vma).</summary>
public static class MapsParser
{
    public static List<MemoryMapping> Parse(string text)
    {
        var list = new List<MemoryMapping>();
        foreach (var lineRange in text.AsSpan().Split('\n'))
        {
            if (TryParseLine(text.AsSpan()[lineRange], out var mapping))
            {
                list.Add(mapping);
            }
        }

        return list;
    }

    /// <summary>"start-end perms offset major:minor inode    path"; the path is everything after the padding and may contain spaces.</summary>
    public static bool TryParseLine(ReadOnlySpan<char> line, out MemoryMapping mapping)
    {
        mapping = null!;
        Span<Range> f = stackalloc Range[6];
        int n = line.Split(f, ' ', StringSplitOptions.None);
        if (n < 5)
        {
            return false;
        }

        var range = line[f[0]];
        int dash = range.IndexOf('-');
        if (dash < 0
            || !ulong.TryParse(range[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong start)
            || !ulong.TryParse(range[(dash + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong end)
            || !ulong.TryParse(line[f[2]], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong offset))
        {
            return false;
        }

        var devText = line[f[3]];
        int colon = devText.IndexOf(':');
        if (colon < 0
            || !uint.TryParse(devText[..colon], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint major)
            || !uint.TryParse(devText[(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint minor))
        {
            return false;
        }

        // The kernel pads the inode column with spaces before the path; the path itself may contain spaces.
        string path = n == 6 ? line[f[5]].TrimStart(' ').ToString() : string.Empty;
        if (!ulong.TryParse(line[f[4]], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode))
        {
            return false;
        }

        mapping = new MemoryMapping(start, end, line[f[1]].ToString(), offset, new DeviceId(major, minor), inode, path);
        return true;
    }
}
