using System.Text.RegularExpressions;

namespace Checkpointable.Tests.Mount;

/// <summary>Cuts the CLI's text output into the parts the mount's files must equal.</summary>
internal static partial class CliText
{
    [GeneratedRegex(@"^(\d+) \(.*\)$")]
    private static partial Regex ProcessHeader();

    /// <summary>The nine subsystem lines the CLI prints under "PID (comm)" for each process of the tree.</summary>
    public static Dictionary<int, string[]> Blocks(string seedText)
    {
        var blocks = new Dictionary<int, string[]>();
        var lines = seedText.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (ProcessHeader().Match(lines[i]) is { Success: true } m && i + 9 < lines.Length)
            {
                blocks[int.Parse(m.Groups[1].Value)] = lines[(i + 1)..(i + 10)];
            }
        }

        return blocks;
    }

    /// <summary>The tree's file: each subsystem line 0 when any process's block has it 0.</summary>
    public static string TreeFile(Dictionary<int, string[]> blocks)
    {
        var first = blocks.Values.First();
        return string.Concat(first.Select((line, i) =>
        {
            string name = line[..line.IndexOf(':', StringComparison.Ordinal)];
            bool ok = blocks.Values.All(b => b[i].EndsWith(": 1", StringComparison.Ordinal));
            return $"{name}: {(ok ? 1 : 0)}\n";
        }));
    }

    /// <summary>The finding lines of the CLI's text that stop the dump (0 or ?), "pid N " before those of non-root processes.</summary>
    public static string Reasons(string seedText, int root)
    {
        var b = new System.Text.StringBuilder();
        int current = 0;
        foreach (var line in seedText.Split('\n'))
        {
            if (ProcessHeader().Match(line) is { Success: true } m)
            {
                current = int.Parse(m.Groups[1].Value);
            }
            else if (current != 0 && (line.Contains(": checkpointable: 0 (", StringComparison.Ordinal) || line.Contains(": checkpointable: ? (", StringComparison.Ordinal)))
            {
                b.Append(current == root ? string.Empty : $"pid {current} ").Append(line).Append('\n');
            }
            else if (line.StartsWith("verdict:", StringComparison.Ordinal))
            {
                break;
            }
        }

        return b.ToString();
    }
}
