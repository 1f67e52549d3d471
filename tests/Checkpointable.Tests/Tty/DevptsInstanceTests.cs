using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;
using Xunit;

namespace Checkpointable.Tests.Tty;

/// <summary>Which devpts instance a pty fd is on, and sessions looked up on it (a container's pts/N is not the host's).</summary>
public class DevptsInstanceTests
{
    private static readonly DeviceId Devtmpfs = new(0, 6);
    private static readonly DeviceId LowerDevpts = new(0, 23);
    private static readonly DeviceId HostDevpts = new(0, 25);
    private static readonly DeviceId ContainerDevpts = new(0, 90);
    private static readonly DeviceId Pts0 = new(136, 0);
    private const int DevMount = 23;

    // This machine's layout: two devpts stacked on /dev/pts; /dev/ptmx is devtmpfs's node, the topmost one wins.
    private static readonly MountTable s_host = new(MountInfoParser.Parse(
        "1 0 254:0 / / rw - ext4 /dev/vda rw\n" +
        "23 1 0:6 / /dev rw - devtmpfs devtmpfs rw\n" +
        "25 23 0:23 / /dev/pts rw - devpts devpts rw,mode=600,ptmxmode=000\n" +
        "28 25 0:25 / /dev/pts rw - devpts devpts rw,mode=600,ptmxmode=000\n" +
        "40 1 0:90 / /tmp/c/pts rw - devpts devpts rw,mode=620,ptmxmode=666\n" +
        "41 23 0:90 /ptmx /dev/ptmx rw - devpts devpts rw,mode=620,ptmxmode=666\n"));

    private static FdEntry Fd(string link, DeviceId dev, DeviceId rdev, int mountId, int? ttyIndex = null) =>
        new(3, link, new FileStat(0x2000 | 0x1b6, dev, 89, rdev, 1, 0, 0),
            new FdInfo(string.Empty, 0, 0, mountId, [], [], [], false, null, ttyIndex, null), FdKind.CharDevice, null, null);

    [Fact]
    public void SlaveIsOnItsOwnDevpts() =>
        Assert.Equal(ContainerDevpts, DevptsInstance.OfFd(Fd("/tmp/c/pts/0", ContainerDevpts, Pts0, 40), null));

    [Fact]
    public void DevtmpfsPtmxTakesTheTopmostDevptsOnPtsBesideIt() =>
        Assert.Equal(HostDevpts, DevptsInstance.OfFd(Fd("/dev/ptmx", Devtmpfs, TtyDevice.Ptmx, DevMount, 0), s_host));

    [Theory]
    [InlineData("/tmp/c/pts/ptmx", 40)] // devpts's own ptmx
    [InlineData("/dev/ptmx", 41)] // a bind mount of it (containers)
    public void PtmxOnDevptsIsOnThatDevpts(string link, int mountId) =>
        Assert.Equal(ContainerDevpts, DevptsInstance.OfFd(Fd(link, ContainerDevpts, TtyDevice.Ptmx, mountId, 0), s_host));

    [Fact]
    public void PtmxWithoutMountTableOrPtsIsUnknown()
    {
        Assert.Null(DevptsInstance.OfFd(Fd("/dev/ptmx", Devtmpfs, TtyDevice.Ptmx, DevMount, 0), null));
        Assert.Null(DevptsInstance.OfFd(Fd("/ptmx", new(254, 0), TtyDevice.Ptmx, 1, 0), s_host)); // no /pts mounted beside it
    }

    [Fact]
    public void ControllingTtyIsNamedByItsSlaveFds()
    {
        Assert.Equal(HostDevpts, DevptsInstance.OfControllingTty(Pts0, [Fd("/dev/pts/0", HostDevpts, Pts0, 28)]));
        Assert.Null(DevptsInstance.OfControllingTty(Pts0, []));
        Assert.Null(DevptsInstance.OfControllingTty(Pts0, [Fd("/dev/pts/0", HostDevpts, Pts0, 28), Fd("/c/0", ContainerDevpts, Pts0, 40)]));
    }

    [Fact]
    public void SessionOnAnotherInstanceIsNotTaken()
    {
        var table = new TtySessionTable([new TtySession(Pts0, ContainerDevpts, 500, 500)]);
        Assert.Null(table.Find(Pts0, HostDevpts));
        Assert.Equal(new TtySessionMatch(500, 500, true), table.Find(Pts0, ContainerDevpts));
        Assert.Equal(new TtySessionMatch(500, 500, false), table.Find(Pts0, null));
        Assert.Null(table.Find(Pts0, LowerDevpts));
    }

    [Fact]
    public void SessionOfUnknownInstanceIsOnlyLikely()
    {
        var table = new TtySessionTable([new TtySession(Pts0, null, 500, 500)]);
        Assert.Equal(new TtySessionMatch(500, 500, false), table.Find(Pts0, HostDevpts));
    }

    [Fact]
    public void SessionMatesShareTheInstanceOneOfThemNamed()
    {
        var table = new TtySessionTable([new TtySession(Pts0, null, 500, 501), new TtySession(Pts0, ContainerDevpts, 500, 501)]);
        Assert.Null(table.Find(Pts0, HostDevpts));
        Assert.Equal(new TtySessionMatch(500, 501, true), table.Find(Pts0, ContainerDevpts));
    }

    [Fact]
    public void TerminalsOtherThanPtysNeedNoInstance()
    {
        var tty1 = new DeviceId(4, 1);
        Assert.Equal(new TtySessionMatch(1, 1, true), new TtySessionTable([new TtySession(tty1, null, 1, 1)]).Find(tty1, null));
    }
}
