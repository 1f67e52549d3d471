using System.Text.Json;
using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.NonRoot;

/// <summary>
/// The CLI without root: trees it may read (its own user's) are judged as root judges them; trees it may not read are
/// undecided (exit 3) with the missing privilege named, and no subsystem flag, row or command is made from the
/// evidence it could not read.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NonRootTests(Unprivileged nobody, ITestOutputHelper output) : IClassFixture<Unprivileged>
{
    /// <summary>
    /// Predict for a criu with every capability and --unprivileged (what the evidence tests are about is what the
    /// checker itself can read, not criu's own privileges, which <see cref="CriuAsNobodyNeedsCheckpointRestoreAndUnprivileged"/> covers).
    /// </summary>
    private static readonly string[] s_asCapableCriu = ["--criu-caps", "all", "--unprivileged"];

    [SkippableFact]
    public void AnotherUsersTreeIsUndecidedAndTheMissingPrivilegeIsNamed()
    {
        Skip.IfNot(nobody.Available, "needs root and setpriv");

        using var s = Subject.Start("sleep");
        var r = nobody.Run(["-t", s.RootPid.ToString(), .. s_asCapableCriu]);
        output.WriteLine(r.Stdout + r.Stderr);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains($"cannot read /proc/{s.RootPid}/{{", r.Stdout);
        Assert.Contains("permission denied (it runs as uid 0, this check as uid 65534: run as root or with CAP_SYS_PTRACE)", r.Stdout);
        Assert.Contains("files: ?", r.Stdout);
        Assert.Contains("namespaces: ?", r.Stdout);
        Assert.DoesNotContain("criu dump -t", r.Stdout);
        Assert.Contains("verdict: ? (undecided", r.Stdout);

        // The same tree judged by root: every flag known, a command named.
        var root = Cli.CliRunner.Run("-t", s.RootPid.ToString());
        Assert.Equal(0, root.ExitCode);
        Assert.DoesNotContain(": ?", root.Stdout);
        Assert.Contains("criu dump -t", root.Stdout);
    }

    [SkippableFact]
    public void AnotherUsersTreeInJsonHasUnknownSubsystemsAndNoCommand()
    {
        Skip.IfNot(nobody.Available, "needs root and setpriv");

        using var s = Subject.Start("sleep");
        var r = nobody.Run(["-t", s.RootPid.ToString(), "--json", .. s_asCapableCriu]);
        Assert.Equal(3, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("undecided", doc.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("command").ValueKind);
        var subsystems = doc.RootElement.GetProperty("processes")[0].GetProperty("subsystems");
        Assert.Equal(-1, subsystems.GetProperty("files").GetInt32());
        Assert.Equal(1, subsystems.GetProperty("ipc").GetInt32());
    }

    [SkippableFact]
    public void AnotherUsersBlockedTreeIsNotCheckpointableButNoCommandIsPromised()
    {
        Skip.IfNot(nobody.Available, "needs root and setpriv");

        // T20 (not a session leader) is read from stat, which anyone may read: a certain blocker. Whether
        // --shell-job alone would do cannot be known without the fds, so no command and no "options" row.
        using var s = Subject.Start("not-session-leader");
        var r = nobody.Run("-t", s.RootPid.ToString());
        output.WriteLine(r.Stdout);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("[T20", r.Stdout);
        Assert.Contains("some evidence could not be read, so no working command is named", r.Stdout);
        Assert.DoesNotContain("criu dump -t", r.Stdout);

        var root = Cli.CliRunner.Run("-t", s.RootPid.ToString());
        Assert.Equal(1, root.ExitCode);
        Assert.Contains("criu dump -t", root.Stdout);
    }

    [SkippableTheory]
    [InlineData("sleep", 0, null)]
    [InlineData("flock", 1, "[L1")]
    [InlineData("zombie-child", 0, null)]
    [InlineData("unix-socketpair-inside", 0, null)]
    [InlineData("tcp-established-external", 1, "[I2")]
    public void OwnTreeIsJudgedAsRootJudgesIt(string factory, int expected, string? rule)
    {
        Skip.IfNot(nobody.Available, "needs root and setpriv");

        using var s = nobody.StartSubject(factory);
        var r = nobody.Run(["-t", s.RootPid.ToString(), .. s_asCapableCriu]);
        output.WriteLine(r.Stdout + r.Stderr);
        Assert.Equal(expected, r.ExitCode);
        Assert.DoesNotContain("EVIDENCE", r.Stdout);
        if (rule is not null)
        {
            Assert.Contains(rule, r.Stdout);
        }

        // Root judging nobody's tree: criu needs CAP_SYS_RESOURCE for prlimit64 on it (H-RLIM), so root with all of them.
        var root = Cli.CliRunner.Run("-t", s.RootPid.ToString(), "--criu-caps", "root");
        Assert.Equal(expected, root.ExitCode);
    }

    [SkippableFact]
    public void FdInfoOfAnotherUsersTreeSaysWhatItCouldNotRead()
    {
        Skip.IfNot(nobody.Available, "needs root and setpriv");

        using var s = Subject.Start("flock");
        var r = nobody.Run(["fdinfo", s.RootPid.ToString(), .. s_asCapableCriu]);
        output.WriteLine(r.Stdout + r.Stderr);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains($"/proc/{s.RootPid}/fd:checkpointable: ? (cannot read", r.Stdout);
        Assert.Contains("CAP_SYS_PTRACE", r.Stdout);
        Assert.DoesNotContain("checkpointable: 1", r.Stdout);

        var root = Cli.CliRunner.Run("fdinfo", s.RootPid.ToString());
        Assert.Equal(1, root.ExitCode);
        Assert.Contains("checkpointable: 0", root.Stdout);
        Assert.DoesNotContain("checkpointable: ?", root.Stdout);
    }

    [SkippableFact]
    public void FdInfoOfOwnTreeShowsEveryDescriptor()
    {
        Skip.IfNot(nobody.Available, "needs root and setpriv");

        using var s = nobody.StartSubject("flock");
        var r = nobody.Run("fdinfo", s.RootPid.ToString());
        output.WriteLine(r.Stdout + r.Stderr);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"/proc/{s.RootPid}/fdinfo/0:", r.Stdout);
        Assert.Contains("[L1", r.Stdout);
        Assert.DoesNotContain("checkpointable: ?", r.Stdout);
    }

    [SkippableFact]
    public void HostTableNeverGivesYesOrOptionsForWhatItCouldNotRead()
    {
        Skip.IfNot(nobody.Available, "needs root and setpriv");

        using var theirs = Subject.Start("sleep");
        using var ours = nobody.StartSubject("sleep");
        var r = nobody.Run(["--json", .. s_asCapableCriu]);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var rows = doc.RootElement.GetProperty("processes").EnumerateArray()
            .ToDictionary(row => row.GetProperty("pid").GetInt32(), row => row.GetProperty("verdict").GetString()!);
        Assert.Equal("unknown", rows[theirs.RootPid]);
        Assert.Equal("yes", rows[ours.RootPid]);

        int others = 0;
        foreach (var (pid, verdict) in rows)
        {
            if (OwnerOf(pid) is not { } uid || uid == Unprivileged.Uid)
            {
                continue; // exited since, or ours
            }

            others++;
            Assert.True(verdict is "unknown" or "no" or "kthread", $"pid {pid} (uid {uid}) got '{verdict}' from evidence nobody cannot read");
        }

        Assert.True(others > 10, $"only {others} rows of other users");
    }

    [SkippableFact]
    public void CriuAsNobodyNeedsCheckpointRestoreAndUnprivileged()
    {
        Skip.IfNot(nobody.Available, "needs root and setpriv");

        // As criu 4.2 run by nobody answered: no capability -> "CRIU needs to have the CAP_SYS_ADMIN or the
        // CAP_CHECKPOINT_RESTORE capability" with or without --unprivileged; CAP_CHECKPOINT_RESTORE alone ->
        // "Running as non-root requires '--unprivileged'"; both -> dumped.
        using var s = nobody.StartSubject("sleep");
        string pid = s.RootPid.ToString();
        foreach (var extra in new[] { Array.Empty<string>(), ["--unprivileged"] })
        {
            var none = nobody.Run(["-t", pid, .. extra]);
            output.WriteLine(none.Stdout);
            Assert.Equal(1, none.ExitCode);
            Assert.Contains("has neither CAP_SYS_ADMIN nor CAP_CHECKPOINT_RESTORE", none.Stdout);
            Assert.Contains("[H-CAP]", none.Stdout);
            Assert.Contains("criu: uid 65534, gid 65534, no capabilities (the checker's own capabilities)\n", none.Stdout);
            Assert.DoesNotContain("criu dump -t", none.Stdout);
        }

        var capable = nobody.Run("-t", pid, "--criu-caps", "checkpoint_restore");
        output.WriteLine(capable.Stdout);
        Assert.Equal(1, capable.ExitCode);
        Assert.Contains("[H-ROOT; lift: --unprivileged]", capable.Stdout);
        Assert.Contains($"criu dump -t {pid} --unprivileged\n", capable.Stdout);

        var ok = nobody.Run("-t", pid, "--criu-caps", "checkpoint_restore", "--unprivileged");
        output.WriteLine(ok.Stdout);
        Assert.Equal(0, ok.ExitCode);
    }

    private static uint? OwnerOf(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return line is null ? null : uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
