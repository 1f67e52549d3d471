using System.Globalization;
using System.Text;
using Checkpointable.Model;

namespace Checkpointable.Probes.ProcFs;

/// <summary>Parses /proc/P/mountinfo (proc(5); fs/proc_namespace.c show_mountinfo).</summary>
public static class MountInfoParser
{
    public static List<MountEntry> Parse(string text)
    {
        var list = new List<MountEntry>();
        foreach (var lineRange in text.AsSpan().Split('\n'))
        {
            if (TryParseLine(text.AsSpan()[lineRange], out var entry))
            {
                list.Add(entry);
            }
        }

        return list;
    }

    /// <summary>
    /// "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue".
    /// Optional fields end at the lone "-"; spaces, tabs, newlines and backslashes in paths are octal escapes.
    /// </summary>
    public static bool TryParseLine(ReadOnlySpan<char> line, out MountEntry entry)
    {
        entry = null!;
        var fields = new List<string>(12);
        foreach (var r in line.Split(' '))
        {
            fields.Add(line[r].ToString());
        }

        int sep = fields.IndexOf("-");
        if (fields.Count < 10 || sep < 6 || sep + 3 >= fields.Count)
        {
            return false;
        }

        var dev = fields[2].AsSpan();
        int colon = dev.IndexOf(':');
        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int id)
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parent)
            || colon < 0
            || !uint.TryParse(dev[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out uint major)
            || !uint.TryParse(dev[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out uint minor))
        {
            return false;
        }

        entry = new MountEntry(
            id,
            parent,
            new DeviceId(major, minor),
            Unescape(fields[3]),
            Unescape(fields[4]),
            fields[sep + 1],
            Unescape(fields[sep + 2]),
            fields[sep + 3])
        {
            SharedGroup = Optional(fields, sep, "shared:"),
            MasterGroup = Optional(fields, sep, "master:"),
            PropagateFrom = Optional(fields, sep, "propagate_from:"),
        };
        return true;
    }

    /// <summary>The number of one optional field ("shared:N", "master:N", "propagate_from:N"), between field 6 and the "-"; 0 when absent.</summary>
    private static int Optional(List<string> fields, int sep, string tag)
    {
        for (int i = 6; i < sep; i++)
        {
            if (fields[i].StartsWith(tag, StringComparison.Ordinal)
                && int.TryParse(fields[i].AsSpan(tag.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            {
                return n;
            }
        }

        return 0;
    }

    /// <summary>Decodes the kernel's "\040"-style octal escapes (seq_file mangle).</summary>
    public static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }

        var bytes = new List<byte>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                bytes.Add((byte)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(s[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static bool IsOctal(string s, int at) =>
        at + 2 < s.Length && s[at] is >= '0' and <= '3' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';
}
