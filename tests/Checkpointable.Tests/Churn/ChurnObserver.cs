using System.Text.Json;
using Checkpointable.Tests.Cli;
using Xunit;

namespace Checkpointable.Tests.Churn;

/// <summary>The stable trees that run beside the churn, and what every scan must keep saying about them.</summary>
/// <param name="ChurnPid">The load generator: its children are the short-lived processes.</param>
/// <param name="MountDir">A `checkpointable mount` for the whole test.</param>
/// <param name="FlockFlags">The flock holder's DIR/PID/checkpointable, read before the churn began.</param>
/// <param name="SleepFlags">The sleeper's, likewise.</param>
/// <param name="ChurnEnded">Cancelled when the load has ended: long-running observers (watch) stop then.</param>
public sealed record ChurnScene(int FlockRoot, int SleepRoot, int ChurnPid, string MountDir, string FlockFlags, string SleepFlags, CancellationToken ChurnEnded);

/// <summary>
/// Something that inspects the host over and over while the churn runs: <see cref="RunOnce"/> is called in a loop on
/// its own thread and throws (an assertion) when a run crashed, hung, erred or changed a stable tree's verdict.
/// </summary>
public sealed record ChurnObserver(string Name, Action<ChurnScene> RunOnce)
{
    /// <summary>
    /// Every observer of ChurnTests. Adding a reader (watch, the FUSE mount, serve) is one line here: a command line
    /// with {flock}/{sleep} for the stable roots, the exit codes it may give and what its output must contain.
    /// </summary>
    public static IReadOnlyList<ChurnObserver> All { get; } =
    [
        new("host table", HostTable),
        Command("-t flock", "-t {flock}", [1], "[L1"),
        Command("-t sleep", "-t {sleep}", [0], "verdict: 1"),
        Command("fdinfo flock", "fdinfo {flock}", [1], "[L1"),
        Command("-t flock --file-locks --json", "-t {flock} --file-locks --json", [0], "\"verdict\": \"checkpointable\""),
        new("-t a churning process", ChurningProcess),
        new("watch (host)", WatchObserver.Host),
        new("watch -t flock", WatchObserver.Flock),
        new("mount readers", MountObserver.Read),
    ];

    /// <summary>A command run to completion; its exit code must be one of <paramref name="exitCodes"/> and its stdout contain every string of <paramref name="contains"/>.</summary>
    public static ChurnObserver Command(string name, string commandLine, int[] exitCodes, params string[] contains) => new(name, scene =>
    {
        string[] args = commandLine
            .Replace("{flock}", scene.FlockRoot.ToString(), StringComparison.Ordinal)
            .Replace("{sleep}", scene.SleepRoot.ToString(), StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var r = CliRunner.Run(args);
        Assert.True(exitCodes.Contains(r.ExitCode), $"{name}: exit {r.ExitCode}; stderr: {r.Stderr.Trim()}\n{r.Stdout}");
        foreach (string s in contains)
        {
            Assert.True(r.Stdout.Contains(s, StringComparison.Ordinal), $"{name}: no '{s}' in\n{r.Stdout}");
        }
    });

    /// <summary>
    /// One of the short-lived processes, which may exit at any moment: judged (0 or 1), or gone (exit 2 with one line on
    /// stderr naming the process), never a crash or a stack trace.
    /// </summary>
    private static void ChurningProcess(ChurnScene scene)
    {
        string children;
        try
        {
            children = File.ReadAllText($"/proc/{scene.ChurnPid}/task/{scene.ChurnPid}/children");
        }
        catch (IOException)
        {
            return; // the load just ended
        }

        var pids = children.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (pids.Length == 0)
        {
            return;
        }

        string pid = pids[Random.Shared.Next(pids.Length)];
        var r = CliRunner.Run("-t", pid);
        Assert.True(r.ExitCode is 0 or 1 or 2, $"-t {pid} (churning): exit {r.ExitCode}; stderr: {r.Stderr.Trim()}");
        if (r.ExitCode == 2)
        {
            Assert.True(r.Stderr.Trim().Split('\n').Length == 1 && r.Stderr.Contains(pid, StringComparison.Ordinal), $"-t {pid} (churning), gone: stderr was\n{r.Stderr}");
        }
    }

    /// <summary>The whole-host table: exit 0, and the stable roots keep their rows (flock: options, sleep: yes).</summary>
    private static void HostTable(ChurnScene scene)
    {
        var r = CliRunner.Run("--json");
        Assert.True(r.ExitCode == 0, $"host table: exit {r.ExitCode}; stderr: {r.Stderr.Trim()}");
        using var doc = JsonDocument.Parse(r.Stdout);
        var rows = doc.RootElement.GetProperty("processes").EnumerateArray()
            .ToDictionary(row => row.GetProperty("pid").GetInt32(), row => row.GetProperty("verdict").GetString());
        Assert.Equal("options", rows.GetValueOrDefault(scene.FlockRoot));
        Assert.Equal("yes", rows.GetValueOrDefault(scene.SleepRoot));
    }
}
