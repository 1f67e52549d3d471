using System.Globalization;
using Checkpointable.Model;

namespace Checkpointable.Probes.ProcFs;

/// <summary>Parses /proc/locks (fs/locks.c lock_get_status): "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF".</summary>
public static class LocksParser
{
    /// <summary>The (device, inode) of every held lock; waiters ("->" lines) are skipped, as CRIU ignores them.</summary>
    public static HashSet<(DeviceId Device, ulong Inode)> LockedFiles(string text)
    {
        var set = new HashSet<(DeviceId, ulong)>();
        foreach (var lineRange in text.AsSpan().Split('\n'))
        {
            var line = text.AsSpan()[lineRange];
            if (line.Contains("->", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var fieldRange in line.Split(' '))
            {
                var field = line[fieldRange];
                if (field.Count(':') != 2)
                {
                    continue;
                }

                int a = field.IndexOf(':');
                int b = field.LastIndexOf(':');
                if (uint.TryParse(field[..a], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint major)
                    && uint.TryParse(field[(a + 1)..b], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint minor)
                    && ulong.TryParse(field[(b + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out ulong ino))
                {
                    set.Add((new DeviceId(major, minor), ino));
                }
            }
        }

        return set;
    }
}
