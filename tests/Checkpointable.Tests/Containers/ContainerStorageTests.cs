using Checkpointable.Containers;
using Xunit;

namespace Checkpointable.Tests.Containers;

/// <summary>storage.conf's roots, and conmon's bundle argument.</summary>
public class ContainerStorageTests
{
    [Fact]
    public void StorageConfRootsAreReadFromTheStorageTable()
    {
        var s = ContainerStorage.Parse("""
            # comment
            [storage]
            driver = "overlay"
            runroot = '/run/alt'
            graphroot = "/srv/containers"  # trailing
            [storage.options]
            graphroot = "/not/this"
            """);
        Assert.Equal(new ContainerStorage("/srv/containers", "/run/alt"), s);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[storage]\ngraphroot = \"\"\nrunroot = unquoted")]
    [InlineData("[other]\ngraphroot = \"/x\"")]
    public void MissingOrOddKeysKeepTheDefaults(string toml) =>
        Assert.Equal(new ContainerStorage(ContainerStorage.DefaultGraphRoot, ContainerStorage.DefaultRunRoot), ContainerStorage.Parse(toml));

    [Fact]
    public void ConfigFromTheEnvironmentWins()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "[storage]\ngraphroot = \"/g\"\n");
            Assert.Equal("/g", ContainerStorage.Read(name => name == "CONTAINERS_STORAGE_CONF" ? file : null).GraphRoot);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(new[] { "/usr/bin/conmon", "--api-version", "1", "-c", "abc", "-b", "/var/lib/containers/storage/overlay-containers/abc/userdata", "-p", "/run/x" }, "/var/lib/containers/storage/overlay-containers/abc/userdata")]
    [InlineData(new[] { "conmon", "--bundle=/b" }, "/b")]
    [InlineData(new[] { "conmon", "--bundle", "/b2" }, "/b2")]
    [InlineData(new[] { "conmon", "-b" }, null)]
    [InlineData(new[] { "/usr/bin/containerd-shim-runc-v2", "-b", "/b" }, null)]
    [InlineData(new string[0], null)]
    public void ConmonsBundleArgument(string[] argv, string? bundle) => Assert.Equal(bundle, ContainerBundle.Bundle(argv));
}
