using System.Diagnostics;
using Checkpointable.Tests.Cli;
using Checkpointable.Tests.Live;
using Xunit;

namespace Checkpointable.Tests.Churn;

/// <summary>
/// `checkpointable watch` beside the churn: one session runs until the churn ends (at most <see cref="Session"/>), then
/// gets SIGINT and must exit 0 with nothing on stderr. The stable trees must never have a transition: a host watch
/// prints no line about their roots, and a watch of the flock holder prints its starting blocker and nothing more.
/// </summary>
internal static class WatchObserver
{
    private static readonly TimeSpan Session = TimeSpan.FromSeconds(10);

    /// <summary>`watch --interval 500ms`: every process of the host; the churning ones appear and exit, the stable ones are silent.</summary>
    public static void Host(ChurnScene scene)
    {
        var (stdout, whole) = RunSession(scene, "watch", "--interval", "500ms");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length > 0 && lines[0].Contains(" host: ", StringComparison.Ordinal), $"host watch: no starting line in\n{stdout}");
        // A session cut short by the end of the churn may have started after its last process.
        Assert.True(!whole || lines.Any(l => l.Contains(") appeared", StringComparison.Ordinal)), $"host watch saw no process of the churn appear:\n{stdout}");
        foreach (string line in lines.Skip(1))
        {
            var fields = line.Split(' ');
            Assert.True(fields.Length > 1 && fields[1] != scene.FlockRoot.ToString() && fields[1] != scene.SleepRoot.ToString(), $"host watch: a stable tree changed: {line}");
        }
    }

    /// <summary>`watch -t FLOCK --interval 500ms`: the starting state (tree 0, the L1 blocker), then no transition at all.</summary>
    public static void Flock(ChurnScene scene)
    {
        var (stdout, _) = RunSession(scene, "watch", "-t", scene.FlockRoot.ToString(), "--interval", "500ms");
        Assert.Contains($" {scene.FlockRoot} (subject) tree: 0 (", stdout, StringComparison.Ordinal);
        Assert.Contains("[L1", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("->", stdout, StringComparison.Ordinal);
    }

    /// <summary>Runs one session; <c>Whole</c> is false when the end of the churn cut it short.</summary>
    private static (string Stdout, bool Whole) RunSession(ChurnScene scene, params string[] args)
    {
        var psi = new ProcessStartInfo(CliRunner.Path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HOME"] = "/tmp";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();

        // Its starting line says it is watching (its SIGINT handler is in place): a SIGINT before that, while the
        // runtime starts, would end it as SIGINT ends any program (status 130), which is not what is tested here.
        var first = p.StandardOutput.ReadLineAsync();
        if (!first.Wait(TimeSpan.FromSeconds(120)) || first.Result is null)
        {
            p.Kill(true);
            Assert.Fail($"{string.Join(' ', args)}: no starting line in 120 s; stderr: {stderr.Result.Trim()}");
        }

        var rest = p.StandardOutput.ReadToEndAsync();
        bool whole = !scene.ChurnEnded.WaitHandle.WaitOne(Session);
        bool exitedEarly = p.HasExited;
        _ = SubjectNative.Kill(p.Id, 2); // SIGINT: the documented way to end a watch
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            Assert.Fail($"{string.Join(' ', args)}: still running 60 s after SIGINT");
        }

        string err = stderr.Result.Trim();
        Assert.False(exitedEarly, $"{string.Join(' ', args)}: exited {p.ExitCode} before SIGINT; stderr: {err}");
        Assert.True(p.ExitCode == 0 && err.Length == 0, $"{string.Join(' ', args)}: exit {p.ExitCode} after SIGINT; stderr: {err}");
        return (first.Result + "\n" + rest.Result, whole);
    }
}
