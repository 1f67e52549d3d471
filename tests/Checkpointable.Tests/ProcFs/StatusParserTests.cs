using Checkpointable.Probes.ProcFs;
using Xunit;

namespace Checkpointable.Tests.ProcFs;

public class StatusParserTests
{
    [Fact]
    public void ParsesRealStatus()
    {
        Assert.True(StatusParser.TryParse(Fixture.Read("status-hostile-comm.txt"), out var st));
        Assert.Equal(22490, st.Pid);
        Assert.Equal(22490, st.Tgid);
        Assert.Equal(0, st.TracerPid);
        Assert.Equal(1, st.Threads);
        Assert.Equal('S', st.State);
        Assert.Equal([22490], st.NsPid);
        Assert.Equal([1047], st.NsSid);
    }

    [Fact]
    public void ANameThatLooksLikeFieldsDoesNotLeak()
    {
        // The kernel escapes newlines in Name, but a name can still contain "Tgid:" text.
        string text = "Name:\tTgid: 666\nState:\tS (sleeping)\nTgid:\t42\nPid:\t43\nTracerPid:\t7\nNSpid:\t43\t1\nNSsid:\t0\nSigPnd:\t0000000000000010\nShdPnd:\t0000000000000000\n";
        Assert.True(StatusParser.TryParse(text, out var st));
        Assert.Equal(42, st.Tgid);
        Assert.Equal(43, st.Pid);
        Assert.Equal(7, st.TracerPid);
        Assert.Equal(1, st.InnermostPid);
        Assert.Equal(0, st.InnermostSid);
        Assert.Equal(0x10UL, st.SigPnd);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Name:\tx\n")]
    [InlineData("Tgid:\tabc\nPid:\t1\n")]
    public void RejectsStatusWithoutIds(string text) => Assert.False(StatusParser.TryParse(text, out _));
}
