using System.Globalization;

namespace Checkpointable.Containers;

/// <summary>Parses /proc/PID/cgroup. Malformed lines are skipped: a hostile or truncated file yields fewer lines, never an exception.</summary>
public static class CgroupParser
{
    public static IReadOnlyList<CgroupLine> Parse(string text)
    {
        var lines = new List<CgroupLine>();
        foreach (var raw in text.Split('\n'))
        {
            // The path is last and may itself contain ':' (cgroup names are free text), so split on the first two only.
            int first = raw.IndexOf(':');
            int second = first < 0 ? -1 : raw.IndexOf(':', first + 1);
            if (second < 0
                || !int.TryParse(raw.AsSpan(0, first), NumberStyles.None, CultureInfo.InvariantCulture, out int id)
                || second + 1 >= raw.Length
                || raw[second + 1] != '/')
            {
                continue;
            }

            lines.Add(new CgroupLine(id, raw[(first + 1)..second], raw[(second + 1)..]));
        }

        return lines;
    }
}
