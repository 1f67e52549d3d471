using System.Globalization;
using Checkpointable.Predict;
using Checkpointable.Rules;
using Checkpointable.Tests.Cli;
using Checkpointable.Tests.Live;
using Xunit;

namespace Checkpointable.Tests.Watch;

/// <summary>`wait` on a live tree: 0 once the last blocker goes, 1 on timeout with the blockers left, 2 when the tree exits.</summary>
public sealed class WaitLiveTests
{
    /// <summary>Sends the command and waits (bounded) until the tree is judged blocked by it.</summary>
    private static void Block(Subject subject, string command, string rule)
    {
        subject.Send(command);
        for (int i = 0; i < 600; i++)
        {
            if (Predictor.JudgeTree(subject.RootPid, Predictor.Options([])).Blockers.Any(f => f.RuleId == rule))
            {
                return;
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"the toggle subject never showed {rule}");
    }

    [Fact]
    public void WaitReturns0AfterTheLastBlockerGoes()
    {
        using var subject = Subject.Start("toggle");
        Block(subject, "t", "I2");
        Block(subject, "l", "L1");
        string pid = subject.RootPid.ToString(CultureInfo.InvariantCulture);
        using var wait = new LiveCommand("wait", "-t", pid, "--interval", "200ms", "--timeout", "2m");
        Assert.Matches(@"^waiting: 2 blockers, first: ", wait.Until(l => l.StartsWith("waiting: ", StringComparison.Ordinal), "the first look"));

        subject.Send("t");
        // Still blocked by the flock: the first wait could not have ended. Prove it with a second, short wait.
        var shortWait = CliRunner.Run("wait", "-t", pid, "--timeout", "300ms", "--interval", "100ms");
        Assert.Equal(1, shortWait.ExitCode);
        Assert.Contains("[L1", shortWait.Stdout, StringComparison.Ordinal);
        Assert.False(wait.HasExited);

        subject.Send("l");
        Assert.Equal(0, wait.Exit());
        Assert.Equal(2, wait.Seen.Count);
        Assert.Matches(@"^verdict: 1 \(checkpointable with these options; tree of 1 process\) after \d+\.\d s$", wait.Seen[1]);
    }

    [Fact]
    public void WaitTimesOutWith1AndPrintsTheBlockers()
    {
        using var subject = Subject.Start("toggle");
        Block(subject, "t", "I2");
        var r = CliRunner.Run("wait", "-t", subject.RootPid.ToString(CultureInfo.InvariantCulture), "--timeout", "500ms", "--interval", "100ms");
        Assert.Equal(1, r.ExitCode);
        Assert.Matches($@"^waiting: 1 blocker, first: I2 {subject.RootPid} fd \d+\n{subject.RootPid} fd \d+: checkpointable: 0 \(TCP connection .*\) \[I2; lift: --tcp-established", r.Stdout);
        Assert.Contains("timed out after", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void WaitWithTheLiftingOptionReturns0AtOnce()
    {
        using var subject = Subject.Start("toggle");
        Block(subject, "l", "L1");
        var r = CliRunner.Run("wait", "-t", subject.RootPid.ToString(CultureInfo.InvariantCulture), "--timeout", "30s", "--file-locks");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("verdict: 1", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void WaitExits2WhenTheTreeExits()
    {
        var subject = Subject.Start("toggle");
        Block(subject, "t", "I2");
        using var wait = new LiveCommand("wait", "-t", subject.RootPid.ToString(CultureInfo.InvariantCulture), "--interval", "200ms");
        wait.Until(l => l.StartsWith("waiting: 1 blocker, first: I2", StringComparison.Ordinal), "the first look");
        subject.Dispose();
        Assert.Equal(2, wait.Exit());
        Assert.Contains("exited while waiting", wait.Stderr(), StringComparison.Ordinal);
    }

    [Fact]
    public void WaitErrors()
    {
        Assert.Equal(2, CliRunner.Run("wait", "-t", "999999999", "--timeout", "1s").ExitCode);
        var noPid = CliRunner.Run("wait", "--timeout", "1s");
        Assert.Equal(2, noPid.ExitCode);
        Assert.Contains("wait needs -t PID", noPid.Stderr, StringComparison.Ordinal);
        var badTimeout = CliRunner.Run("wait", "-t", "1", "--timeout", "soon");
        Assert.Equal(2, badTimeout.ExitCode);
        Assert.Contains("--timeout: 'soon' is not a duration", badTimeout.Stderr, StringComparison.Ordinal);
    }

    /// <summary>criu's own --timeout still reaches criu's parser for the check command (and is validated there).</summary>
    [Fact]
    public void CriuTimeoutStillWorksForTheCheckCommand()
    {
        using var subject = Subject.Start("toggle");
        string pid = subject.RootPid.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(0, CliRunner.Run("-t", pid, "--timeout", "5").ExitCode);
        var bad = CliRunner.Run("-t", pid, "--timeout", "5s");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("Invalid timeout", bad.Stderr, StringComparison.Ordinal);
    }
}
