using System.Text;
using Checkpointable.Rules;

namespace Checkpointable.Render;

/// <summary>
/// What stops a tree: one line per blocking (or unknown) finding, as the seed text prints it under its process,
/// prefixed with "pid N " when it belongs to a process other than the root. Empty when nothing stops the dump.
/// </summary>
public static class ReasonsRenderer
{
    public static string Render(Judgement j)
    {
        var b = new StringBuilder();
        foreach (int pid in j.Tree.Members)
        {
            foreach (var f in j.For(pid).Where(f => f.Blocks || f.Severity == Severity.Unknown).OrderBy(f => f.Fd ?? -1))
            {
                if (pid != j.Tree.Root)
                {
                    b.Append("pid ").Append(pid).Append(' ');
                }

                b.Append(FindingLine(f)).Append('\n');
            }
        }

        return b.ToString();
    }

    /// <summary>"RESOURCE: checkpointable: 0 (reason) [RULE; lift: …]": the seed text's line for a finding.</summary>
    public static string FindingLine(Finding f) => $"{Text.Sanitize(f.Resource)}: {Text.Line(f)}";
}
