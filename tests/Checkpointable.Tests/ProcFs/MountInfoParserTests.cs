using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;
using Checkpointable.Rules.Files;
using Xunit;

namespace Checkpointable.Tests.ProcFs;

public class MountInfoParserTests
{
    [Fact]
    public void ParsesRealMountInfo()
    {
        var mounts = MountInfoParser.Parse(Fixture.Read("mountinfo.txt"));
        Assert.Contains(mounts, m => m.MountPoint == "/");
        var proc = Assert.Single(mounts, m => m.MountPoint == "/proc");
        Assert.Equal("proc", proc.FsType);
    }

    [Fact]
    public void DecodesOctalEscapesAndOptionalFields()
    {
        Assert.True(MountInfoParser.TryParseLine(@"36 35 98:0 /mnt\0401 /a\040b\012c rw,noatime master:1 shared:2 - ext3 /dev/r\134oot rw,errors=continue", out var m));
        Assert.Equal("/mnt 1", m.Root);
        Assert.Equal("/a b\nc", m.MountPoint);
        Assert.Equal("ext3", m.FsType);
        Assert.Equal(@"/dev/r\oot", m.Source);
        Assert.Equal(new DeviceId(98, 0), m.Device);
        Assert.Equal(1, m.MasterGroup);
        Assert.Equal(2, m.SharedGroup);
        Assert.Equal(0, m.PropagateFrom);
        Assert.True(MountInfoParser.TryParseLine("87 86 0:40 / /peer rw,relatime master:1 propagate_from:3 - tmpfs subject rw", out var slave));
        Assert.Equal((0, 1, 3), (slave.SharedGroup, slave.MasterGroup, slave.PropagateFrom));
    }

    [Theory]
    [InlineData("")]
    [InlineData("36 35 98:0 / /mnt rw")]
    [InlineData("x 35 98:0 / /mnt rw - ext4 /dev/sda rw")]
    [InlineData("36 35 98:0 / /mnt rw master:1 ext4 /dev/sda rw")]
    public void RejectsMalformedLines(string line) => Assert.False(MountInfoParser.TryParseLine(line, out _));

    [Fact]
    public void OvermountFollowsCriu()
    {
        // /dev/shm mounted twice (as on the CI machine): files on the upper one are visible, on the lower one not.
        var mounts = MountInfoParser.Parse(
            "27 1 254:0 / / rw - ext4 /dev/vda rw\n" +
            "24 27 0:6 / /dev rw - devtmpfs devtmpfs rw\n" +
            "25 24 0:23 / /dev/shm rw - tmpfs tmpfs rw\n" +
            "30 25 0:27 / /dev/shm rw - tmpfs tmpfs rw\n" +
            "40 27 0:40 / /a/b rw - tmpfs tmpfs rw\n" +
            "41 27 0:41 / /a rw - tmpfs tmpfs rw\n");
        MountEntry Id(int id) => mounts.Single(m => m.MountId == id);
        var table = new MountTable(mounts);
        Assert.False(Overmount.IsOvermounted(Id(30), table));
        Assert.True(Overmount.IsOvermounted(Id(25), table));
        Assert.True(Overmount.IsOvermounted(Id(40), table));
        Assert.False(Overmount.IsOvermounted(Id(41), table));
        Assert.False(Overmount.IsOvermounted(Id(24), table));
    }

    [Fact]
    public void LocksParserFindsHeldLocksOnly()
    {
        var set = LocksParser.LockedFiles(Fixture.Read("locks.txt") + "2: -> FLOCK  ADVISORY  WRITE 5 fe:00:77 0 EOF\n");
        Assert.Contains((new DeviceId(0xfe, 0), 11658602UL), set);
        Assert.DoesNotContain((new DeviceId(0xfe, 0), 77UL), set);
    }
}
