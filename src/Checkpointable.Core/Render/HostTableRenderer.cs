using System.Text;
using Checkpointable.Rules;

namespace Checkpointable.Render;

/// <summary>One row of the whole-host table.</summary>
public sealed record HostRow(int Pid, string Command, string Verdict, int Blockers, string FirstBlocker)
{
    /// <summary>The 12-character id of the container the process is in, or "-".</summary>
    public string Container { get; init; } = "-";
}

/// <summary>The whole-host table, like ps: PID, VERDICT, BLOCKERS, COMMAND, CONTAINER, FIRST BLOCKER.</summary>
public static class HostTableRenderer
{
    /// <param name="containers">Where each process's container is looked up (null: the column shows "-").</param>
    public static HostRow Row(Judgement j, Containers.ContainerIndex? containers = null)
    {
        var p = j.Snapshot.Processes[j.Tree.Root];
        var first = j.Blockers.FirstOrDefault() ?? j.Findings.FirstOrDefault(f => f.Severity == Severity.Unknown);
        string verdict = p.Stat?.IsKernelThread == true ? "kthread"
            : j.Verdict switch
            {
                Verdict.Checkpointable => "yes",
                Verdict.Undecided => "unknown",
                _ when j.MissingOptions is { Count: > 0 } => "options",
                _ => "no",
            };
        string blocker = verdict == "kthread" ? "kernel thread" : first is null ? "-" : $"{first.RuleId} {(first.Pid != p.Pid ? $"pid {first.Pid} " : string.Empty)}{first.Resource}: {first.Reason}";
        return new HostRow(p.Pid, Text.Sanitize(p.Comm), verdict, j.Blockers.Count(), Text.Sanitize(blocker))
        {
            Container = containers?.Of(p.Pid)?.ShortId ?? "-",
        };
    }

    public static string Render(IEnumerable<HostRow> rows)
    {
        var b = new StringBuilder();
        b.Append($"{"PID",7} {"VERDICT",-8} {"BLOCKERS",8} {"COMMAND",-16} {"CONTAINER",-12} FIRST BLOCKER\n");
        foreach (var r in rows)
        {
            b.Append($"{r.Pid,7} {r.Verdict,-8} {r.Blockers,8} {Truncate(r.Command, 16),-16} {r.Container,-12} {r.FirstBlocker}\n");
        }

        return b.ToString();
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n];
}
