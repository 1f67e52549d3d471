using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;
using Xunit;

namespace Checkpointable.Tests.ProcFs;

public class MapsParserTests
{
    [Fact]
    public void ParsesRealMaps()
    {
        var maps = MapsParser.Parse(Fixture.Read("maps-python.txt"));
        Assert.True(maps.Count > 10);
        Assert.Contains(maps, m => m.Path == "[stack]");
        Assert.Contains(maps, m => m.IsExecutable && m.Path.Contains("python", StringComparison.Ordinal));
        Assert.All(maps, m => Assert.True(m.End > m.Start));
    }

    [Theory]
    [InlineData("7f00-7f10 rw-s 00000000 00:01 12 /dev/zero (deleted)", "/dev/zero (deleted)", true)]
    [InlineData("7f00-7f10 r--p 00001000 fe:00 11 /tmp/with space/x (deleted)", "/tmp/with space/x (deleted)", false)]
    [InlineData("7f00-7f10 r--p 00001000 fe:00 11                          /tmp/a file  two spaces", "/tmp/a file  two spaces", false)]
    [InlineData("7f00-7f10 rw-p 00000000 00:00 0 ", "", false)]
    [InlineData("7f00-7f10 rw-p 00000000 00:00 0", "", false)]
    [InlineData("7f00-7f10 r-xp 00000000 00:00 0                          [uprobes]", "[uprobes]", false)]
    public void KeepsThePathWhole(string line, string path, bool shared)
    {
        Assert.True(MapsParser.TryParseLine(line, out var m));
        Assert.Equal(path, m.Path);
        Assert.Equal(shared, m.IsShared);
        Assert.Equal(0x7f00UL, m.Start);
    }

    [Fact]
    public void DeletedSuffixAndDevice()
    {
        Assert.True(MapsParser.TryParseLine("1000-2000 r--p 00000000 fe:01 99 /x (deleted)", out var m));
        Assert.True(m.PathDeleted);
        Assert.Equal(new DeviceId(0xfe, 1), m.Device);
        Assert.Equal(99UL, m.Inode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("zz-10 rw-p 0 00:00 0")]
    [InlineData("10 rw-p 0 00:00 0")]
    [InlineData("10-20 rw-p 0 0000 0")]
    [InlineData("10-20 rw-p 0 00:00 x")]
    public void RejectsMalformedLines(string line) => Assert.False(MapsParser.TryParseLine(line, out _));
}
