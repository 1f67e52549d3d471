using System.Globalization;
using System.Text.RegularExpressions;
using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Serve;

/// <summary>
/// serve never touches what it judges: under strace -f, while it answers /metrics and /v1/processes/PID, no
/// call that stops, traces, signals or reads another process's memory names a process of the subject's tree.
/// (The runtime signals its own threads to suspend them for the GC; those calls name serve's own pid.)
/// </summary>
public partial class ServeNoTouchTests(ITestOutputHelper output)
{
    private static readonly string[] s_forbidden = ["ptrace", "kill", "tgkill", "tkill", "pidfd_send_signal", "process_vm_readv", "process_vm_writev"];

    [SkippableFact]
    public void ServeSendsNothingToTheProcessesItJudges()
    {
        Skip.IfNot(File.Exists("/usr/bin/strace"), "strace is not installed");

        using var s = Subject.Start("tree");
        var tree = Descendants(s.RootPid).Append(s.RootPid).ToHashSet();
        string log = Path.GetTempFileName();
        try
        {
            using (var serve = ServeProcess.StartWith(["/usr/bin/strace", "-f", "-qq", "-o", log, "-e", "trace=" + string.Join(',', s_forbidden)], "--min-age", "0"))
            {
                for (int i = 0; i < 3; i++)
                {
                    Assert.Contains("checkpointable_processes", serve.Get("metrics", out int m));
                    Assert.Equal(200, m);
                    serve.Get($"v1/processes/{s.RootPid}", out int p);
                    Assert.Equal(200, p);
                }
            }

            var calls = File.ReadAllLines(log);
            output.WriteLine($"{calls.Length} traced calls; subject tree {string.Join(' ', tree)}");
            // ptrace and pidfd_send_signal have no use in serve at all; the others are bad when they name the tree.
            var bad = calls.Where(l => l.Contains(" ptrace(", StringComparison.Ordinal) || l.Contains(" pidfd_send_signal(", StringComparison.Ordinal)
                || (FirstArgument().Match(l) is { Success: true } m
                    && int.TryParse(m.Groups[2].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int target)
                    && (tree.Contains(target) || tree.Contains(-target))))
                .ToList();
            Assert.True(bad.Count == 0, "calls naming the subject's processes:\n" + string.Join('\n', bad));
        }
        finally
        {
            File.Delete(log);
        }
    }

    private static IEnumerable<int> Descendants(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .SelectMany(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(c => int.Parse(c, CultureInfo.InvariantCulture))
            .SelectMany(c => Descendants(c).Append(c));

    /// <summary>"1234 tgkill(5678, 5679, SIGRTMIN) = 0": a call whose first argument is a pid, and that pid.</summary>
    [GeneratedRegex(@"^\d+\s+(kill|tgkill|tkill|process_vm_readv|process_vm_writev)\((-?\d+)")]
    private static partial Regex FirstArgument();
}
