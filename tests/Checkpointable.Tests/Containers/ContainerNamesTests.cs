using Checkpointable.Containers;
using Checkpointable.Predict;
using Xunit;

namespace Checkpointable.Tests.Containers;

/// <summary>Names from containers/storage's containers.json and Docker's config.v2.json, and how --container resolves them.</summary>
public class ContainerNamesTests
{
    private const string A = "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111";
    private const string B = "bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222";
    private const string Cafe = "cafe3333cafe3333cafe3333cafe3333cafe3333cafe3333cafe3333cafe3333";

    private static ContainerIndex Index() => new(
    [
        new ContainerProcess(500, 1, 10, new ContainerRef("podman", A, $"/libpod_parent/libpod-{A}", null)),
        new ContainerProcess(600, 1, 10, new ContainerRef("docker", B, $"/docker/{B}", null)),
        new ContainerProcess(700, 1, 10, new ContainerRef("podman", Cafe, $"/libpod_parent/libpod-{Cafe}", null)),
    ]);

    [Fact]
    public void StorageContainersJsonGivesEveryContainersNames()
    {
        var entries = ContainerNames.ParseStorage(ContainerFixture.Read("containers.json"));
        Assert.NotEmpty(entries);
        Assert.All(entries, e => Assert.Equal(64, e.Id.Length));
        Assert.Contains(entries, e => e.Names.Contains("ckc-fx-owner"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"id\": \"x\"}")]
    [InlineData("[{\"id\": 3, \"names\": [\"a\"]}, {\"id\": \"abc\", \"names\": \"a\"}]")]
    [InlineData("[{\"id\": \"abc\", \"names\": [1, ")]
    public void AForeignOrTruncatedStoreGivesNoNames(string json) => Assert.Empty(ContainerNames.ParseStorage(json));

    [Theory]
    [InlineData("{\"ID\": \"x\", \"Name\": \"/web\"}", "web")]
    [InlineData("{\"Name\": \"/\"}", null)]
    [InlineData("{\"Name\": 7}", null)]
    [InlineData("not json", null)]
    public void DockersNameLosesItsSlash(string json, string? name) => Assert.Equal(name, ContainerNames.ParseDockerName(json));

    [Fact]
    public void ANameResolvesToItsRunningContainer()
    {
        var names = new ContainerNames([(A, ["web"]), (B, ["db"]), ("dead" + A[4..], ["gone"])]);
        Assert.Equal(500, Index().Resolve("web", () => names).Init);
        Assert.Equal(600, Index().Resolve("db", () => names).Init);
        Assert.Contains("no running container named or with ID gone", Assert.Throws<TargetException>(() => Index().Resolve("gone", () => names)).Message);
        Assert.Contains("is not a container ID or name", Assert.Throws<TargetException>(() => Index().Resolve("we b", () => names)).Message);
    }

    [Fact]
    public void AFullIdWinsOverANameAndANameOverAPrefix()
    {
        // "cafe" is both a name (of A) and a prefix of Cafe's id: podman and docker take the name.
        var names = new ContainerNames([(A, ["cafe", Cafe])]);
        Assert.Equal(500, Index().Resolve("cafe", () => names).Init);
        Assert.Equal(700, Index().Resolve(Cafe, () => names).Init);
        Assert.Equal(700, Index().Resolve("cafe", () => new ContainerNames([])).Init);
    }

    [Fact]
    public void NamesAreNotReadForAFullId()
    {
        bool read = false;
        Assert.Equal(500, Index().Resolve(A.ToUpperInvariant(), () => { read = true; return new ContainerNames([]); }).Init);
        Assert.False(read);
    }

    [Fact]
    public void ANameTwoRuntimesUseIsAmbiguous()
    {
        var names = new ContainerNames([(A, ["app"]), (B, ["app"])]);
        Assert.Contains("ambiguous", Assert.Throws<TargetException>(() => Index().Resolve("app", () => names)).Message);
    }
}
