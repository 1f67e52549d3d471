using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;
using Xunit;

namespace Checkpointable.Tests.ProcFs;

public class StatParserTests
{
    [Fact]
    public void ParsesRealStatWithHostileComm()
    {
        Assert.True(StatParser.TryParse(Fixture.Read("stat-hostile-comm.txt"), out var st));
        Assert.Equal(22490, st.Pid);
        Assert.Equal("a) (b\n) x (", st.Comm);
        Assert.Equal('S', st.State);
        Assert.Equal(22449, st.ParentPid);
        Assert.Equal(22446, st.ProcessGroup);
        Assert.Equal(1047, st.Session);
        Assert.False(st.HasControllingTty);
        Assert.Equal(-1, st.ForegroundGroup);
        Assert.False(st.IsKernelThread);
        Assert.Equal(107135UL, st.StartTime);
    }

    [Theory]
    [InlineData("1 (sleep) S 0 1 1 34816 1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 5 1 1 1 1 1 1 1 1 0 0 0 0 0 0 0 17 0 0 0 0 0 0 1 1 1 1 1 1 1 0", "sleep", 34816)]
    [InlineData("7 ((x)) R 1 7 7 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 5 1 1 1 1 1 1 1 1 0 0 0 0 0 0 0 17 0 0 0 0 0 0 1 1 1 1 1 1 1 0", "(x)", 0)]
    [InlineData("7 () R 1 7 7 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 5 1 1 1 1 1 1 1 1 0 0 0 0 0 0 0 17 0 0 0 0 0 0 1 1 1 1 1 1 1 0", "", 0)]
    [InlineData("7 (a b) c) T 1 7 7 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 5 1 1 1 1 1 1 1 1 0 0 0 0 0 0 0 17 0 0 0 0 0 0 1 1 1 1 1 1 1 0", "a b) c", 0)]
    public void TakesCommUpToTheLastParenthesis(string text, string comm, int ttyNr)
    {
        Assert.True(StatParser.TryParse(text, out var st));
        Assert.Equal(comm, st.Comm);
        Assert.Equal(new DeviceId((uint)((ttyNr >> 8) & 0xfff), (uint)(ttyNr & 0xff)), st.ControllingTty);
    }

    [Fact]
    public void ControllingTtyDecodesPtsNumbers()
    {
        // tty_nr 34817 = 136:1 (/dev/pts/1)
        Assert.True(StatParser.TryParse("9 (bash) S 1 9 9 34817 9 4194560 1 0 0 0 0 0 0 0 20 0 1 0 5 1 1 1 1 1 1 1 1 0 0 0 0 0 0 0 17 0 0 0 0 0 0 1 1 1 1 1 1 1 0", out var st));
        Assert.Equal(new DeviceId(136, 1), st.ControllingTty);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12 (sleep")]
    [InlineData("12 sleep) S 1")]
    [InlineData("x (sleep) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 5 1 1 1 1 1 1 1 1")]
    [InlineData("12 (sleep) S 1 2")]
    [InlineData("12 (sleep) SS 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 5 1 1 1 1 1 1 1 1")]
    public void RejectsTruncatedOrMalformedText(string text) => Assert.False(StatParser.TryParse(text, out _));

    [Fact]
    public void FlagsKernelThreads()
    {
        Assert.True(StatParser.TryParse("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 2 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", out var st));
        Assert.True(st.IsKernelThread);
    }
}
