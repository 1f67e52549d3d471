using System.Globalization;

namespace Checkpointable.Probes.ProcFs;

/// <summary>
/// Parses the soft "Max open files" limit of /proc/P/limits (fs/proc/base.c proc_pid_limits: a header, then one
/// row per limit, the name padded to 25 columns, then soft, hard and units separated by spaces).
/// </summary>
public static class LimitsParser
{
    private const string OpenFilesRow = "Max open files";

    /// <summary>The soft RLIMIT_NOFILE; <see cref="ulong.MaxValue"/> for "unlimited"; false when the row is missing or unparsable.</summary>
    public static bool TryParseOpenFiles(ReadOnlySpan<char> text, out ulong soft)
    {
        soft = 0;
        foreach (var range in text.Split('\n'))
        {
            var line = text[range];
            if (!line.StartsWith(OpenFilesRow, StringComparison.Ordinal) || line.Length == OpenFilesRow.Length || line[OpenFilesRow.Length] != ' ')
            {
                continue;
            }

            var rest = line[OpenFilesRow.Length..].TrimStart(' ');
            int end = rest.IndexOf(' ');
            var field = end < 0 ? rest : rest[..end];
            if (field.SequenceEqual("unlimited"))
            {
                soft = ulong.MaxValue;
                return true;
            }

            return ulong.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out soft);
        }

        return false;
    }
}
