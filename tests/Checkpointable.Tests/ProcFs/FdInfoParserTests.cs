using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;
using Xunit;

namespace Checkpointable.Tests.ProcFs;

public class FdInfoParserTests
{
    [Fact]
    public void ParsesRealFlockFdInfo()
    {
        var info = FdInfoParser.Parse(Fixture.Read("fdinfo-flock.txt"));
        Assert.Equal(0, info.Position);
        Assert.Equal(Convert.ToUInt32("2100001", 8), info.Flags);
        Assert.Equal(27, info.MountId);
        Assert.Single(info.Locks);
        Assert.StartsWith("1: FLOCK", info.Locks[0]);
        Assert.False(info.IsPath);
    }

    [Fact]
    public void ParsesEpollTargets()
    {
        var info = FdInfoParser.Parse("pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\ntfd:        5 events:       19 data:                5  pos:0 ino:2a9 sdev:e\ntfd:        7 events:       19 data:                7  pos:0 ino:41c sdev:800001\n");
        Assert.Equal(2, info.EpollTargets.Count);
        Assert.Equal(new EpollTarget(5, 0x2a9, new DeviceId(0, 0xe)), info.EpollTargets[0]);
        Assert.Equal(new DeviceId(8, 1), info.EpollTargets[1].Device);
    }

    [Fact]
    public void ParsesInotifyFanotifyPidfdTtyAndScm()
    {
        var inotify = FdInfoParser.Parse("pos:\t0\nflags:\t00\nmnt_id:\t16\nino:\t1\ninotify wd:1 ino:3f sdev:1a mask:fce ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:3f00000000000000\n");
        Assert.Equal(new InotifyWatch(0x3f, new DeviceId(0, 0x1a)), Assert.Single(inotify.InotifyWatches));

        var fanotify = FdInfoParser.Parse("pos:\t0\nflags:\t02\nmnt_id:\t16\nino:\t1\nfanotify flags:0 event-flags:0\nfanotify sdev:1a mflags:0 mask:1 ignored_mask:0\n");
        Assert.True(fanotify.HasFanotifyFilesystemMark);

        var pidfd = FdInfoParser.Parse("pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1\nPid:\t-1\nNSpid:\t-1\n");
        Assert.Equal(-1, pidfd.PidfdPid);

        var thread = FdInfoParser.Parse("pos:\t0\nflags:\t02000202\nmnt_id:\t15\nino:\t1\nPid:\t77\n");
        Assert.True(thread.IsExcl);

        var ptmx = FdInfoParser.Parse("pos:\t0\nflags:\t0100002\nmnt_id:\t29\nino:\t2\ntty-index:\t3\n");
        Assert.Equal(3, ptmx.TtyIndex);

        var unix = FdInfoParser.Parse("pos:\t0\nflags:\t02\nmnt_id:\t10\nino:\t999\nscm_fds: 2\n");
        Assert.Equal(2, unix.ScmFds);
    }

    [Fact]
    public void SeesPacketModeAndOPath()
    {
        Assert.True(FdInfoParser.Parse("pos:\t0\nflags:\t040000\n").IsDirect);
        Assert.True(FdInfoParser.Parse("pos:\t0\nflags:\t012000000\n").IsPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage without colons")]
    [InlineData("flags:\t09zz\npos:\tnan\nmnt_id:\t-\ntfd: x\ninotify wd:1 ino:zz\n")]
    public void HostileTextGivesDefaultsNotExceptions(string text)
    {
        var info = FdInfoParser.Parse(text);
        Assert.Empty(info.EpollTargets);
        Assert.Empty(info.InotifyWatches);
        Assert.Equal(-1, info.MountId);
    }
}
