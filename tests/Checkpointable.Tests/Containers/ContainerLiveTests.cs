using System.Text.Json;
using Checkpointable.Containers;
using Checkpointable.Predict;
using Checkpointable.Tests.Cli;
using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Containers;

/// <summary>A live subject moved into a cgroup shaped like Docker's, on cgroup v2 and on a v1 hierarchy: resolved, judged, listed.</summary>
public class ContainerLiveTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData(null)]
    [InlineData("pids")]
    public void ASubjectInADockerShapedCgroupIsResolvedToItsInitAndJudged(string? v1Controller)
    {
        using var s = Subject.Start("sleep");
        using var cg = TestCgroup.Create(v1Controller);
        Skip.If(cg is null, $"no {(v1Controller is null ? "cgroup2" : v1Controller + " v1")} hierarchy here, or not root");

        Assert.Null(ContainerScanner.Of(s.RootPid));
        Assert.Throws<TargetException>(() => ContainerScanner.Scan().Resolve(cg.Id));

        cg.Move(s.RootPid);
        output.WriteLine(File.ReadAllText($"/proc/{s.RootPid}/cgroup"));
        var (container, init) = ContainerScanner.Scan().Resolve(cg.Id[..10]);
        Assert.Equal(s.RootPid, init);
        Assert.Equal("docker", container.Runtime);
        Assert.Equal(cg.Id, container.Id);

        var r = CliRunner.Run("--container", cg.Id[..12], "--json");
        output.WriteLine(r.Stdout + r.Stderr);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(s.RootPid, doc.RootElement.GetProperty("root").GetInt32());
        Assert.Equal(cg.Id, doc.RootElement.GetProperty("container").GetProperty("id").GetString());
        Assert.Equal(s.RootPid, doc.RootElement.GetProperty("container").GetProperty("init").GetInt32());
        Assert.Equal("--manage-cgroups", doc.RootElement.GetProperty("options")[0].GetString());

        var text = CliRunner.Run("--container", cg.Id[..12]);
        Assert.StartsWith($"container {cg.Id} (docker), init {s.RootPid}\n", text.Stdout);

        var host = CliRunner.Run();
        Assert.Matches($@"\n *{s.RootPid} +\S+ +\d+ +subject +{cg.Id[..12]} ", host.Stdout);
    }

    [SkippableFact]
    public void AContainerWithABlockerIsNotCheckpointableAndTheUsersOptionsApply()
    {
        using var s = Subject.Start("flock");
        using var cg = TestCgroup.Create() ?? TestCgroup.Create("pids");
        Skip.If(cg is null, "no cgroup hierarchy to make a container in");

        cg.Move(s.RootPid);
        var r = CliRunner.Run("--container", cg.Id);
        output.WriteLine(r.Stdout);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("[L1; lift: --file-locks]", r.Stdout);
        Assert.Equal(0, CliRunner.Run("--container", cg.Id, "--file-locks").ExitCode);
    }

    [Theory]
    [InlineData("redis", "no running container named or with ID redis")]
    [InlineData("re dis", "is not a container ID or name")]
    [InlineData("ffffffffffff", "no running container with ID ffffffffffff")]
    public void BadContainerIdsAreOneLineErrors(string id, string message)
    {
        var r = CliRunner.Run("--container", id);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Equal(2, CliRunner.Run("--container", "ab", "-t", "1").ExitCode);
    }
}
