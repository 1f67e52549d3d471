using System.Text;
using Checkpointable.Interop;
using Checkpointable.Probes.ProcFs;

namespace Checkpointable.Watch;

/// <summary>
/// A cheap summary of a tree that changes when a judgement could: per member its fd count (one statx), the
/// /proc/PID/stat fields rules read (state, parent, group, session, tty, flags, threads), the children of each
/// thread; and the host's /proc/locks. Equal fingerprints mean "nothing a rule looks at changed", with the
/// limits the README lists (an fd closed and another opened within one period, a socket changing state).
/// </summary>
internal static class TreeFingerprint
{
    public static string Of(IReadOnlyList<int> members)
    {
        var reader = new ProcReader();
        var b = new StringBuilder();
        foreach (int pid in members)
        {
            b.Append(pid).Append(':').Append(Libc.FdCount(pid)).Append(':');
            if (reader.ReadText($"/proc/{pid}/stat", record: false) is { } stat)
            {
                AppendStatFields(b, stat);
            }

            foreach (int tid in reader.ListNumbers($"/proc/{pid}/task", record: false) ?? [])
            {
                b.Append('[').Append(reader.ReadText($"/proc/{pid}/task/{tid}/children", record: false)).Append(']');
            }

            b.Append('\n');
        }

        b.Append(reader.ReadText("/proc/locks", record: false));
        return b.ToString();
    }

    /// <summary>Fields 3-9 and 20 of proc(5): the ones that change only when the process's state does (not its times).</summary>
    private static void AppendStatFields(StringBuilder b, string stat)
    {
        int close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return;
        }

        var fields = stat.AsSpan(close + 1).Trim();
        int index = 0;
        foreach (var range in fields.Split(' '))
        {
            if (index == 0)
            {
                // Running and sleeping alternate all the time; only stopped, traced, D, zombie and dead matter to rules.
                char state = fields[range].Length > 0 ? fields[range][0] : '?';
                b.Append("TtDZXx".Contains(state) ? state : '-').Append(' ');
            }
            else if (index <= 6 || index == 17)
            {
                b.Append(fields[range]).Append(' ');
            }

            if (++index > 17)
            {
                break;
            }
        }
    }
}
