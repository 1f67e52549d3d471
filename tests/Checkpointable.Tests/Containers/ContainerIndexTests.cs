using Checkpointable.Containers;
using Checkpointable.Predict;
using Xunit;

namespace Checkpointable.Tests.Containers;

/// <summary>Finding a container's init among its processes, and resolving ids as docker does (unique prefixes).</summary>
public class ContainerIndexTests
{
    private static readonly string A = "ab" + new string('1', 62);
    private static readonly string B = "ac" + new string('2', 62);

    private static ContainerRef Docker(string id) => new("docker", id, $"/system.slice/docker-{id}.scope", null);

    private static ContainerIndex Index() => new(
    [
        new ContainerProcess(500, 400, 1000, Docker(A)), // init: parent 400 (the shim) is outside
        new ContainerProcess(501, 500, 1001, Docker(A)), // its child
        new ContainerProcess(900, 400, 5000, Docker(A)), // `docker exec`: parent outside too, started later
        new ContainerProcess(700, 600, 2000, Docker(B)),
        new ContainerProcess(800, 1, 100, null),          // not in a container
    ]);

    [Fact]
    public void InitIsTheEarliestProcessWhoseParentIsOutside()
    {
        var index = Index();
        Assert.Equal(500, index.Resolve(A).Init);
        Assert.Equal(700, index.Resolve(B).Init);
        Assert.Equal(2, index.Containers.Count);
        Assert.Equal(A, index.Of(900)?.Id);
        Assert.Null(index.Of(800));
    }

    [Fact]
    public void PodmanInitInASubCgroupStillResolvesToTheContainersOwnCgroup()
    {
        string id = new('c', 64);
        var index = new ContainerIndex(
        [
            new ContainerProcess(10, 9, 1, new ContainerRef("podman", id, $"/machine.slice/libpod-{id}.scope", null)),
            new ContainerProcess(11, 10, 2, new ContainerRef("podman", id, $"/machine.slice/libpod-{id}.scope", null)),
        ]);
        Assert.Equal(10, index.Resolve(id[..4]).Init);
    }

    [Theory]
    [InlineData("ab", 500)]
    [InlineData("AC", 700)]
    [InlineData(" ab11 ", 500)]
    [InlineData("containerd://ab1111", 500)]
    [InlineData("docker://ac", 700)]
    public void UniquePrefixesResolve(string id, int init) => Assert.Equal(init, Index().Resolve(id).Init);

    [Fact]
    public void AmbiguousMissingAndMalformedIdsAreOneLineErrors()
    {
        var index = Index();
        Assert.Contains("ambiguous: 2 running containers", Assert.Throws<TargetException>(() => index.Resolve("a")).Message);
        Assert.Contains("no running container with ID ff", Assert.Throws<TargetException>(() => index.Resolve("ff")).Message);
        Assert.Contains("no running container named or with ID redis", Assert.Throws<TargetException>(() => index.Resolve("redis")).Message);
        Assert.Contains("is not a container ID", Assert.Throws<TargetException>(() => index.Resolve("")).Message);
        Assert.Contains("no running container named or with ID", Assert.Throws<TargetException>(() => index.Resolve(new string('a', 65))).Message);
        Assert.Contains("is not a container ID or name", Assert.Throws<TargetException>(() => index.Resolve("no/such")).Message);
        Assert.DoesNotContain("\n", Assert.Throws<TargetException>(() => index.Resolve("x\ny")).Message);
    }
}
