using System.Globalization;
using Checkpointable.Model;

namespace Checkpointable.Probes.ProcFs;

/// <summary>Parses /proc/P/status (fs/proc/array.c). Unknown keys are ignored; Name is skipped (it may hold anything).</summary>
public static class StatusParser
{
    private const int IdsPerLine = 4;

    public static bool TryParse(string text, out ProcStatus status)
    {
        int tgid = -1, pid = -1, tracer = 0, threads = 1;
        CredentialIds? uids = null, gids = null;
        CapabilitySet? capEff = null, capInh = null, capBnd = null, capAmb = null;
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
                    uids = Ids(value);
                    break;
                case "Gid":
                    gids = Ids(value);
                    break;
                case "CapEff":
                    capEff = CapabilitySet.ParseHex(value.Trim());
                    break;
                case "CapInh":
                    capInh = CapabilitySet.ParseHex(value.Trim());
                    break;
                case "CapBnd":
                    capBnd = CapabilitySet.ParseHex(value.Trim());
                    break;
                case "CapAmb":
                    capAmb = CapabilitySet.ParseHex(value.Trim());
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

        status = new ProcStatus(tgid, pid, tracer, threads, nsPid, nsSid, sigPnd, shdPnd, state)
        {
            Uids = uids,
            Gids = gids,
            CapEff = capEff,
            CapInh = capInh,
            CapBnd = capBnd,
            CapAmb = capAmb,
        };
        return tgid > 0 && pid > 0;
    }

    /// <summary>
    /// "0\t0\t0\t0" (fs/proc/array.c task_state: real, effective, saved, fs, each a decimal id in the reader's user
    /// namespace); null unless exactly four ids are there.
    /// </summary>
    private static CredentialIds? Ids(ReadOnlySpan<char> value)
    {
        Span<uint> ids = stackalloc uint[IdsPerLine];
        int n = 0;
        foreach (var r in value.SplitAny(' ', '\t'))
        {
            var field = value[r];
            if (field.IsEmpty)
            {
                continue;
            }

            if (n == IdsPerLine || !uint.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out ids[n]))
            {
                return null;
            }

            n++;
        }

        return n == IdsPerLine ? new CredentialIds(ids[0], ids[1], ids[2], ids[3]) : null;
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
