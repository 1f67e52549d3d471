using Checkpointable.Rules;

namespace Checkpointable.Render;

/// <summary>Small text helpers shared by the renderers.</summary>
public static class Text
{
    public static string Name(Subsystem s) => s.ToString().ToLowerInvariant();

    /// <summary>The seed's per-resource line: "checkpointable: 0 (reason) [RULE; lift: …]".</summary>
    public static string Line(Finding f)
    {
        string tags = f.RuleId;
        if (f.Certainty == Certainty.Likely)
        {
            tags += ", inferred";
        }

        if (f.Volatile)
        {
            tags += ", volatile";
        }

        if (f.Lift.Count > 0 && !f.Lifted)
        {
            tags += "; lift: " + string.Join(' ', f.Lift);
        }

        string state = f.Blocks ? "checkpointable: 0" : f.Severity == Severity.Unknown ? "checkpointable: ?" : "checkpointable: 1";
        string note = f.Severity switch
        {
            Severity.Blocker when f.Lifted => $"{f.Reason}; allowed by the given options",
            Severity.Lossy => $"lossy: {f.Reason}",
            Severity.Risk => $"risk: {f.Reason}",
            _ => f.Reason,
        };
        return $"{state} ({Sanitize(note)}) [{tags}]";
    }

    /// <summary>Paths and names may hold newlines or control characters; keep one finding on one line.</summary>
    public static string Sanitize(string s)
    {
        if (!s.Any(char.IsControl))
        {
            return s;
        }

        var b = new System.Text.StringBuilder(s.Length + 8);
        foreach (char ch in s)
        {
            b.Append(ch switch
            {
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(ch) => $"\\x{(int)ch:x2}",
                _ => ch.ToString(),
            });
        }

        return b.ToString();
    }

    /// <summary>The criu command that would work: the user's own options plus the missing ones.</summary>
    public static string? CriuCommand(Judgement j, IReadOnlyList<string> userTokens)
    {
        if (j.Verdict == Verdict.Undecided || j.EvidenceMissing || (j.Verdict == Verdict.NotCheckpointable && j.MissingOptions is null))
        {
            return null;
        }

        var parts = new List<string> { "criu", "dump", "-t", j.Tree.Root.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        parts.AddRange(userTokens.Select(Quote));
        parts.AddRange(j.MissingOptions ?? []);
        return string.Join(' ', parts);
    }

    private static string Quote(string s) =>
        s.Length > 0 && s.All(ch => char.IsLetterOrDigit(ch) || "-_=.,/:[]@+%".Contains(ch)) ? s : $"'{s.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
