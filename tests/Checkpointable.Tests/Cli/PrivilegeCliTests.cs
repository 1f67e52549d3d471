using System.Text.Json;
using Checkpointable.Cli;
using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Cli;

/// <summary>
/// --criu-caps and the checker's own capabilities through the published binary: the "criu:" line, the JSON
/// "criu" object, H-RLIM with and without CAP_SYS_RESOURCE (setpriv), and the option on every judging command.
/// </summary>
public class PrivilegeCliTests(ITestOutputHelper output)
{
    private const string WithoutSysResource = "all,-sys_resource";

    [Fact]
    public void TheOptionIsOursOnEveryCommandLine()
    {
        foreach (var command in new[] { Array.Empty<string>(), ["fdinfo"], ["watch"], ["wait"], ["serve"], ["mount"] })
        {
            var (ours, criu) = ArgumentSplitter.Split([.. command, "--criu-caps", WithoutSysResource, "--criu-caps=all", "--tcp-established"]);
            Assert.Equal([.. command, "--criu-caps", WithoutSysResource, "--criu-caps=all"], ours);
            Assert.Equal(["--tcp-established"], criu);
            Assert.Null(ArgumentSplitter.Unknown(ours));
        }
    }

    [Fact]
    public void TextNamesWhatCriuIsAssumedToRunAsNextToTheVerdict()
    {
        using var s = Subject.Start("sleep");
        var r = CliRunner.Run("-t", s.RootPid.ToString());
        output.WriteLine(r.Stdout);
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"\n\ncriu: uid 0, gid 0, [^\n]* \(the checker's own capabilities\)\nverdict: 1 ", r.Stdout);

        var given = CliRunner.Run("-t", s.RootPid.ToString(), "--criu-caps=all");
        Assert.Contains("\ncriu: uid 0, gid 0, all capabilities (as given by --criu-caps)\nverdict: 1", given.Stdout);
    }

    [Fact]
    public void OtherUidBlocksWithoutSysResourceAndNoCommandIsPromised()
    {
        using var s = Start("uid-nobody");
        var r = CliRunner.Run("-t", s.RootPid.ToString(), "--criu-caps", WithoutSysResource);
        output.WriteLine(r.Stdout);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("host: 0\n", r.Stdout);
        Assert.Contains("criu without CAP_SYS_RESOURCE cannot read its rlimits (prlimit64: EPERM); run criu with CAP_SYS_RESOURCE or as uid 65534 gid 0) [H-RLIM]", r.Stdout);
        Assert.Contains("criu: uid 0, gid 0, without CAP_SYS_RESOURCE (as given by --criu-caps)\n", r.Stdout);
        Assert.DoesNotContain("criu dump -t", r.Stdout);

        var ok = CliRunner.Run("-t", s.RootPid.ToString(), "--criu-caps", "all");
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains($"criu dump -t {s.RootPid}\n", ok.Stdout);
    }

    [Fact]
    public void JsonHasTheCriuObject()
    {
        using var s = Start("gid-nobody");
        var r = CliRunner.Run("-t", s.RootPid.ToString(), "--json", "--criu-caps", WithoutSysResource);
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var criu = doc.RootElement.GetProperty("criu");
        Assert.Equal("given", criu.GetProperty("source").GetString());
        Assert.Equal(WithoutSysResource, criu.GetProperty("option").GetString());
        Assert.Equal(["CAP_SYS_RESOURCE"], criu.GetProperty("missingCapabilities").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("000001fffeffffff", criu.GetProperty("capEff").GetString());
        Assert.Equal([0u, 0u, 0u, 0u], criu.GetProperty("uids").EnumerateArray().Select(e => e.GetUInt32()));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("command").ValueKind);
        Assert.Contains(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("rule").GetString() == "H-RLIM");
    }

    [Fact]
    public void FdInfoWaitAndTheHostTableTakeTheOption()
    {
        using var s = Start("uid-nobody");
        string pid = s.RootPid.ToString();
        Assert.Equal(1, CliRunner.Run("fdinfo", pid, "--criu-caps", WithoutSysResource).ExitCode);
        Assert.Equal(0, CliRunner.Run("fdinfo", pid, "--criu-caps", "all").ExitCode);

        var wait = CliRunner.Run("wait", "-t", pid, "--timeout", "300ms", "--criu-caps", WithoutSysResource);
        Assert.Equal(1, wait.ExitCode);
        Assert.Contains("[H-RLIM]", wait.Stdout);
        Assert.Equal(0, CliRunner.Run("wait", "-t", pid, "--timeout", "5s", "--criu-caps", "all").ExitCode);

        var table = CliRunner.Run("--criu-caps", WithoutSysResource);
        Assert.Matches($@"\n\s*{pid} no\s+1 ", table.Stdout);
    }

    [Theory]
    [InlineData("-t", "1")]
    [InlineData("fdinfo", "1")]
    [InlineData("watch")]
    [InlineData("wait", "-t", "1")]
    [InlineData("serve")]
    [InlineData("mount", "/nonexistent")]
    [InlineData("--container", "abc")]
    public void ABadValueIsOneLineAndExitTwoOnEveryCommand(params string[] args)
    {
        var r = CliRunner.Run([.. args, "--criu-caps", "sys_admin,bogus"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("checkpointable: --criu-caps: 'bogus' is not a capability (names as in capabilities(7): sys_admin, CAP_SYS_RESOURCE, checkpoint_restore)\n", r.Stderr);
    }

    [SkippableFact]
    public void TheCheckerWithoutSysResourceInItsBoundingSetPredictsTheFailure()
    {
        Skip.IfNot(Environment.UserName == "root" && File.Exists("/usr/bin/setpriv"), "needs root and setpriv");
        using var s = Start("uid-nobody");
        var r = CliRunner.RunWith(["/usr/bin/setpriv", "--bounding-set=-sys_resource", "--inh-caps=-sys_resource"], "-t", s.RootPid.ToString());
        output.WriteLine(r.Stdout + r.Stderr);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("[H-RLIM]", r.Stdout);
        Assert.Contains("without CAP_SYS_RESOURCE (the checker's own capabilities)", r.Stdout);
    }

    [SkippableFact]
    public void TheCheckerWithSysResourcePredictsSuccess()
    {
        Skip.IfNot(Environment.UserName == "root" && File.Exists("/usr/bin/setpriv"), "needs root and setpriv");
        var raise = CliRunner.RunProgram("/usr/bin/true", ["/usr/bin/setpriv", "--inh-caps=+sys_resource", "--ambient-caps=+sys_resource"]);
        Skip.If(raise.ExitCode != 0, $"this host's root cannot raise CAP_SYS_RESOURCE (not in its bounding set: {raise.Stderr.Trim()}); the --criu-caps rows cover it");
        using var s = Start("uid-nobody");
        var r = CliRunner.RunWith(["/usr/bin/setpriv", "--inh-caps=+sys_resource", "--ambient-caps=+sys_resource"], "-t", s.RootPid.ToString());
        output.WriteLine(r.Stdout + r.Stderr);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("[H-RLIM]", r.Stdout);
    }

    private Subject Start(string factory)
    {
        try
        {
            return Subject.Start(factory);
        }
        catch (SubjectSkippedException e)
        {
            output.WriteLine($"SKIP {factory}: {e.Message}");
            throw new SkipException(e.Message);
        }
    }
}
