using System.Globalization;
using Checkpointable.Model;

namespace Checkpointable.Probes.ProcFs;

/// <summary>Parses /proc/P/stat (proc(5); fs/proc/array.c do_task_stat).</summary>
public static class StatParser
{
    /// <summary>
    /// The command name may contain spaces, parentheses and newlines, so it runs from the first '('
    /// to the LAST ')' (the kernel does not escape it). Fields after it are space separated.
    /// </summary>
    public static bool TryParse(string text, out ProcStat stat)
    {
        stat = null!;
        int open = text.IndexOf('(');
        int close = text.LastIndexOf(')');
        if (open < 0 || close < open || close + 2 > text.Length)
        {
            return false;
        }

        if (!int.TryParse(text.AsSpan(0, open).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            return false;
        }

        string comm = text.Substring(open + 1, close - open - 1);
        var rest = text.AsSpan(close + 2);

        // Fields numbered as in proc(5): 3 state, 4 ppid, 5 pgrp, 6 session, 7 tty_nr, 8 tpgid, 9 flags,
        // 22 starttime, 26 startcode, 28 startstack, 47 start_brk.
        Span<Range> fields = stackalloc Range[64];
        int count = rest.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (count < 26)
        {
            return false;
        }

        var state = rest[fields[0]];
        if (state.Length != 1)
        {
            return false;
        }

        ReadOnlySpan<Range> used = fields[..count];

        uint ttyNr = (uint)Field(rest, used, 7);
        var tty = new DeviceId((ttyNr >> 8) & 0xfff, (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00));
        stat = new ProcStat(
            pid,
            comm,
            state[0],
            (int)Field(rest, used, 4),
            (int)Field(rest, used, 5),
            (int)Field(rest, used, 6),
            tty,
            (int)Field(rest, used, 8),
            (uint)Field(rest, used, 9),
            (ulong)Field(rest, used, 22),
            (ulong)Field(rest, used, 26),
            (ulong)Field(rest, used, 28),
            (ulong)Field(rest, used, 47));
        return true;
    }

    /// <summary>Field <paramref name="n"/> in proc(5) numbering (the fields after comm start at 3); 0 when absent or not a number.</summary>
    private static long Field(ReadOnlySpan<char> rest, ReadOnlySpan<Range> fields, int n) =>
        n - 3 < fields.Length && long.TryParse(rest[fields[n - 3]], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : 0;
}
