using Checkpointable.Mount;
using Xunit;

namespace Checkpointable.Tests.Mount;

/// <summary>The layout, path by path, including paths no caller should be able to turn into a node.</summary>
public sealed class MountPathTests
{
    [Theory]
    [InlineData("/", NodeKind.Root, 0, -1)]
    [InlineData("/checkpointable", NodeKind.HostTable, 0, -1)]
    [InlineData("/1", NodeKind.ProcessDir, 1, -1)]
    [InlineData("/4194304", NodeKind.ProcessDir, 4194304, -1)]
    [InlineData("/42/checkpointable", NodeKind.Checkpointable, 42, -1)]
    [InlineData("/42/reasons", NodeKind.Reasons, 42, -1)]
    [InlineData("/42/checkpointable.json", NodeKind.Json, 42, -1)]
    [InlineData("/42/fdinfo", NodeKind.FdInfoDir, 42, -1)]
    [InlineData("/42/fdinfo/0", NodeKind.FdInfoFile, 42, 0)]
    [InlineData("/42/fdinfo/1023", NodeKind.FdInfoFile, 42, 1023)]
    public void ResolvesTheLayout(string path, NodeKind kind, int pid, int fd) =>
        Assert.Equal(new MountNode(kind, pid, fd), MountPath.Resolve(path));

    [Theory]
    [InlineData("")]
    [InlineData("42")]
    [InlineData("/42/")]
    [InlineData("//42")]
    [InlineData("/0")]
    [InlineData("/042")]
    [InlineData("/-1")]
    [InlineData("/+1")]
    [InlineData("/ 1")]
    [InlineData("/1e3")]
    [InlineData("/2147483648")]
    [InlineData("/99999999999999999999")]
    [InlineData("/٣")] // a non-ASCII digit
    [InlineData("/self")]
    [InlineData("/42/fdinfo/")]
    [InlineData("/42/fdinfo/01")]
    [InlineData("/42/fdinfo/-3")]
    [InlineData("/42/fdinfo/3/x")]
    [InlineData("/42/fd/3")]
    [InlineData("/42/checkpointable/x")]
    [InlineData("/42/../1/checkpointable")]
    [InlineData("/checkpointable/1")]
    [InlineData("/Checkpointable")]
    [InlineData("/42/status")]
    public void AnythingElseIsNotFound(string path) => Assert.Equal(NodeKind.NotFound, MountPath.Resolve(path).Kind);

    [Fact]
    public void OnlyDirectoriesAreDirectories()
    {
        Assert.True(MountPath.Resolve("/").IsDirectory);
        Assert.True(MountPath.Resolve("/7").IsDirectory);
        Assert.True(MountPath.Resolve("/7/fdinfo").IsDirectory);
        Assert.False(MountPath.Resolve("/7/fdinfo/1").IsDirectory);
        Assert.False(MountPath.Resolve("/checkpointable").IsDirectory);
        Assert.False(MountPath.Resolve("/nope").IsDirectory);
    }
}
