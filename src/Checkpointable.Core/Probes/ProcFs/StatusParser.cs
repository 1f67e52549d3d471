using System.Globalization;
using Checkpointable.Model;

namespace Checkpointable.Probes.ProcFs;

/// <summary>Parses /proc/P/status (fs/proc/array.c). Unknown keys are ignored; Name is skipped (it may hold anything).</summary>
public static class StatusParser
{
    public static bool TryParse(string text, out ProcStatus status)
    {
        int tgid = -1, pid = -1, tracer = 0, threads = 1;
        uint uid = 0;
        char state = '?';
        ulong sigPnd = 0, shdPnd = 0;
        int[] nsPid = [], nsSid = [];

        var lines = new KeyValueLines(text);
        while (lines.Next(out var key, out var value))
        {
            switch (key)
            {
                case "State":
                    state = value.Length > 0 ? value[0] : '?';
                    break;
                case "Tgid":
                    tgid = Int(value);
                    break;
                case "Pid":
                    pid = Int(value);
                    break;
                case "TracerPid":
                    tracer = Int(value);
                    break;
                case "Threads":
                    threads = Int(value);
                    break;
                case "Uid":
                    uid = (uint)Int(FirstField(value));
                    break;
                case "NSpid":
                    nsPid = Ints(value);
                    break;
                case "NSsid":
                    nsSid = Ints(value);
                    break;
                case "SigPnd":
                    sigPnd = Hex(value);
                    break;
                case "ShdPnd":
                    shdPnd = Hex(value);
                    break;
            }
        }

        status = new ProcStatus(tgid, pid, tracer, threads, nsPid, nsSid, sigPnd, shdPnd, uid, state);
        return tgid > 0 && pid > 0;
    }

    private static ReadOnlySpan<char> FirstField(ReadOnlySpan<char> value)
    {
        int end = value.IndexOfAny(' ', '\t');
        return end < 0 ? value : value[..end];
    }

    private static int Int(ReadOnlySpan<char> s) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) ? v : 0;

    private static ulong Hex(ReadOnlySpan<char> s) =>
        ulong.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong v) ? v : 0;

    private static int[] Ints(ReadOnlySpan<char> s)
    {
        var list = new List<int>(2);
        foreach (var r in s.SplitAny(' ', '\t'))
        {
            if (int.TryParse(s[r], NumberStyles.None, CultureInfo.InvariantCulture, out int v))
            {
                list.Add(v);
            }
        }

        return [.. list];
    }
}
