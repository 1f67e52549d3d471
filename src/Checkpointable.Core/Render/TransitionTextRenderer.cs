using System.Globalization;
using System.Text;
using Checkpointable.Watch;

namespace Checkpointable.Render;

/// <summary>
/// One line per transition, an ISO-8601 UTC timestamp first:
/// "2026-11-27T07:30:01.250Z 4242 fd 3: 1 -> 0 (TCP connection …) [I2; lift: --tcp-established]".
/// </summary>
public static class TransitionTextRenderer
{
    public static string Render(Transition t)
    {
        var b = new StringBuilder();
        b.Append(Timestamp(t.At)).Append(' ');
        string pid = t.Pid.ToString(CultureInfo.InvariantCulture);
        string comm = t.Comm is null ? string.Empty : $" ({Text.Sanitize(t.Comm)})";
        switch (t.Kind)
        {
            case TransitionKind.Started:
                b.Append(t.Pid == 0 ? "host" : $"{pid}{comm} tree").Append(": ").Append(Flag(t.To)).Append(" (watching: ").Append(t.Reason).Append(')');
                break;
            case TransitionKind.Appeared:
                b.Append(pid).Append(comm).Append(" appeared");
                if (t.To is not null)
                {
                    b.Append(": ").Append(Flag(t.To)).Append(" (").Append(t.Reason).Append(')');
                }

                break;
            case TransitionKind.Exited:
                b.Append(pid).Append(comm).Append(" exited");
                break;
            case TransitionKind.Resource:
                b.Append(pid).Append(' ').Append(Text.Sanitize(t.Resource ?? "?")).Append(": ").Append(Change(t))
                    .Append(" (").Append(t.To == 1 ? "no longer: " : string.Empty).Append(Text.Sanitize(t.Reason ?? string.Empty)).Append(") [").Append(t.RuleId);
                if (t.Lift.Count > 0)
                {
                    b.Append("; lift: ").Append(string.Join(' ', t.Lift));
                }

                b.Append(']');
                break;
            case TransitionKind.Subsystem:
                b.Append(pid).Append(' ').Append(t.Subsystem is { } s ? Text.Name(s) : "?").Append(": ").Append(Change(t));
                break;
            case TransitionKind.Tree:
                b.Append(pid).Append(comm).Append(" tree: ").Append(Change(t)).Append(" (").Append(t.Reason).Append(')');
                break;
        }

        return b.Append('\n').ToString();
    }

    /// <summary>ISO-8601 UTC with milliseconds: 2026-11-27T07:30:01.250Z.</summary>
    public static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Change(Transition t) => t.From is null ? Flag(t.To) : $"{Flag(t.From)} -> {Flag(t.To)}";

    private static string Flag(int? f) => f switch { 1 => "1", 0 => "0", _ => "?" };
}
