using System.Globalization;

namespace Checkpointable.Cli;

/// <summary>Durations for --interval and --timeout: "500ms", "30s", "2m", "1h", or plain (fractional) seconds.</summary>
public static class DurationParser
{
    public static TimeSpan Parse(string text, string option)
    {
        string s = text.Trim();
        (string number, double scale) = s switch
        {
            _ when s.EndsWith("ms", StringComparison.Ordinal) => (s[..^2], 0.001),
            _ when s.EndsWith('s') => (s[..^1], 1),
            _ when s.EndsWith('m') => (s[..^1], 60),
            _ when s.EndsWith('h') => (s[..^1], 3600),
            _ => (s, 1),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
            || double.IsInfinity(value * scale) || value * scale > TimeSpan.FromDays(365).TotalSeconds)
        {
            throw new UserFacingException($"{option}: '{text}' is not a duration (e.g. 500ms, 30s, 2m, or seconds)");
        }

        return TimeSpan.FromSeconds(value * scale);
    }
}
