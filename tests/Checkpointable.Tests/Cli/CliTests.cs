using System.Text.Json;
using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Cli;

/// <summary>The command-line contract scripts rely on: exit statuses, one-line errors, output formats.</summary>
public class CliTests(ITestOutputHelper output)
{
    [Fact]
    public void CheckpointableTreeExitsZeroAndPrintsTheSeedFormat()
    {
        using var s = Subject.Start("sleep");
        var r = CliRunner.Run("-t", s.RootPid.ToString());
        output.WriteLine(r.Stdout);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith($"{s.RootPid} (subject)\ntask: 1\nmm: 1\nfiles: 1\nsockets: 1\ntty: 1\nlocks: 1\nipc: 1\nnamespaces: 1\nhost: 1\n", r.Stdout);
        Assert.Contains($"\ncriu dump -t {s.RootPid}\n", r.Stdout);
    }

    [Fact]
    public void BlockerLineNamesTheResourceAndTheCommandThatWorks()
    {
        using var s = Subject.Start("flock");
        var r = CliRunner.Run(s.RootPid.ToString(), "-D", "/tmp/img", "-v4", "--leave-running");
        output.WriteLine(r.Stdout);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("locks: 0\n", r.Stdout);
        Assert.Matches(@"\nfd \d+: checkpointable: 0 \(.*holds a FLOCK WRITE lock\) \[L1; lift: --file-locks\]\n", r.Stdout);
        Assert.Contains($"criu dump -t {s.RootPid} -D /tmp/img -v4 --leave-running --file-locks\n", r.Stdout);

        var ok = CliRunner.Run("-t", s.RootPid.ToString(), "-l");
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("locks: 1\n", ok.Stdout);
    }

    [Fact]
    public void FdInfoShowsKernelLinesThenTheVerdict()
    {
        using var s = Subject.Start("pipe-packet");
        var r = CliRunner.Run("fdinfo", s.RootPid.ToString());
        output.WriteLine(r.Stdout);
        Assert.Equal(1, r.ExitCode);
        Assert.Matches($@"/proc/{s.RootPid}/fdinfo/\d+:pos:\t0\n/proc/{s.RootPid}/fdinfo/\d+:flags:\t\d+", r.Stdout);
        Assert.Matches($@"/proc/{s.RootPid}/fdinfo/\d+:checkpointable: 0 \(pipe:\[\d+\] is in packet mode \(O_DIRECT\)\) \[P2\]", r.Stdout);
        Assert.Contains($"/proc/{s.RootPid}/fdinfo/0:checkpointable: 1\n", r.Stdout);

        var json = CliRunner.Run("fdinfo", s.RootPid.ToString(), "--json");
        using var doc = JsonDocument.Parse(json.Stdout);
        var fds = doc.RootElement.GetProperty("processes")[0].GetProperty("descriptors").EnumerateArray().ToList();
        var packet = fds.Single(f => f.GetProperty("rules").EnumerateArray().Any(x => x.GetString() == "P2"));
        Assert.Equal(0, packet.GetProperty("checkpointable").GetInt32());
        Assert.Equal("Pipe", packet.GetProperty("kind").GetString());
        Assert.StartsWith("pos:\t0\nflags:", packet.GetProperty("fdInfo").GetString());
        Assert.Equal(1, fds.Single(f => f.GetProperty("fd").GetInt32() == 0).GetProperty("checkpointable").GetInt32());
    }

    [Fact]
    public void JsonFollowsTheSchema()
    {
        using var s = Subject.Start("tcp-established-external");
        var r = CliRunner.Run("-t", s.RootPid.ToString(), "--json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal("checkpointable/v1", root.GetProperty("schema").GetString());
        Assert.Equal("not-checkpointable", root.GetProperty("verdict").GetString());
        Assert.Equal(s.RootPid, root.GetProperty("root").GetInt32());
        var finding = root.GetProperty("findings").EnumerateArray().First(f => f.GetProperty("rule").GetString() == "I2");
        Assert.Equal("sockets", finding.GetProperty("subsystem").GetString());
        Assert.True(finding.GetProperty("blocks").GetBoolean());
        Assert.Equal("--tcp-established", finding.GetProperty("lift")[0].GetString());
        Assert.Equal(0, root.GetProperty("processes")[0].GetProperty("subsystems").GetProperty("sockets").GetInt32());
    }

    [Fact]
    public void HostTableListsEveryProcess()
    {
        using var s = Subject.Start("netlink-unread");
        var r = CliRunner.Run();
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("    PID VERDICT  BLOCKERS COMMAND", r.Stdout);
        Assert.Matches($@"\n\s*{s.RootPid} no\s+1 subject\s+-\s+NL2 ", r.Stdout);
        Assert.Matches(@"\n\s*2 kthread ", r.Stdout);

        var json = CliRunner.Run("--json");
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Contains(doc.RootElement.GetProperty("processes").EnumerateArray(), p => p.GetProperty("pid").GetInt32() == s.RootPid && p.GetProperty("container").GetString() == "-");
    }

    /// <summary>The host table names the sockets no dump lists (here MPTCP, and an unbound TCP socket of a listener-less process).</summary>
    [SkippableFact]
    public void HostTableNamesSocketsNoDumpDescribes()
    {
        using (var mptcp = Subject.StartOrSkip("mptcp"))
        using (var listen = Subject.Start("tcp-listen"))
        {
            var r = CliRunner.Run();
            Assert.Matches($@"
\s*{mptcp.RootPid} no\s+1 subject\s+-\s+S-PROTO ", r.Stdout);
            Assert.Matches($@"
\s*{listen.RootPid} yes\s+0 subject\s+-\s+- *
", r.Stdout);
        }
    }

    [Theory]
    [InlineData("no such process: 2147483", "-t", "2147483")]
    [InlineData("unrecognized option '--bogus'", "-t", "1", "--bogus")]
    [InlineData("option '--ghost-limit' requires an argument", "-t", "1", "--ghost-limit")]
    [InlineData("Invalid value for --network-lock: maybe", "-t", "1", "--network-lock", "maybe")]
    [InlineData("invalid PID -5", "-t", "-5")]
    [InlineData("Can't access configuration file /nonexistent", "-t", "1", "--config", "/nonexistent")]
    public void BadInputIsOneLineAndExitTwo(string message, params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Contains(message, r.Stderr);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("checkpointable: ", r.Stderr);
    }

    /// <summary>H-INHERIT: criu dump rejects --inherit-fd (crtools.c:292) before looking at the tree.</summary>
    [Fact]
    public void InheritFdIsRefusedOnDump()
    {
        using var s = Subject.Start("sleep");
        Assert.Equal(0, CliRunner.Run("-t", s.RootPid.ToString()).ExitCode);
        var r = CliRunner.Run("-t", s.RootPid.ToString(), "--inherit-fd", "fd[1]:pipe:[123]");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("[H-INHERIT]", r.Stdout);
        Assert.Contains("host: 0", r.Stdout);
    }

    [Fact]
    public void ThreadIdIsNamedWithItsProcess()
    {
        using var s = Subject.Start("threads");
        int tid = Directory.GetDirectories($"/proc/{s.RootPid}/task").Select(d => int.Parse(Path.GetFileName(d))).First(t => t != s.RootPid);
        var r = CliRunner.Run("-t", tid.ToString());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{tid} is a thread of process {s.RootPid}; use -t {s.RootPid}", r.Stderr);
    }

    [Fact]
    public void KernelThreadPidOneAndOwnTreeAreRefusedWithTheReason()
    {
        var kthread = CliRunner.Run("-t", "2");
        Assert.Equal(1, kthread.ExitCode);
        Assert.Contains("[T3]", kthread.Stdout);

        var init = CliRunner.Run("-t", "1", "--json");
        Assert.Equal(1, init.ExitCode);
        Assert.Contains("\"rule\": \"T5\"", init.Stdout);

        var own = CliRunner.Run("-t", Environment.ProcessId.ToString());
        Assert.Equal(1, own.ExitCode);
        Assert.Contains("an ancestor of the checker", own.Stdout);
    }

    [SkippableFact]
    public void WithoutPermissionTheVerdictIsUndecided()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess && File.Exists("/usr/bin/setpriv"), "needs root and setpriv");

        using var s = Subject.Start("sleep");
        // For a criu that could run (as nobody with every capability and --unprivileged): the checker's own missing
        // privileges, not criu's (H-CAP without --criu-caps, PrivilegeCliTests), leave the verdict undecided.
        var r = CliRunner.RunWith(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], "-t", s.RootPid.ToString(), "--criu-caps", "all", "--unprivileged");
        output.WriteLine(r.Stdout + r.Stderr);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("checkpointable: ? (", r.Stdout);
        Assert.Contains("permission denied", r.Stdout);
    }

    [Fact]
    public void ProcessThatExitsIsGoneNotAnError()
    {
        var s = Subject.Start("sleep");
        int pid = s.RootPid;
        s.Dispose();
        var r = CliRunner.Run("-t", pid.ToString());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"no such process: {pid}", r.Stderr);
    }
}
