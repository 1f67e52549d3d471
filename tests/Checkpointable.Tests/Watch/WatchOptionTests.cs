using Checkpointable.Cli;
using Checkpointable.Watch;
using Xunit;

namespace Checkpointable.Tests.Watch;

public sealed class WatchOptionTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("7", 7_000)]
    [InlineData("0.25", 250)]
    public void Durations(string text, int ms) => Assert.Equal(TimeSpan.FromMilliseconds(ms), DurationParser.Parse(text, "--timeout"));

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("5x")]
    [InlineData("1e400")]
    [InlineData("99999999h")]
    public void BadDurations(string text) =>
        Assert.Contains("--timeout", Assert.Throws<UserFacingException>(() => DurationParser.Parse(text, "--timeout")).Message, StringComparison.Ordinal);

    [Fact]
    public void TimeoutIsOursOnlyForWait()
    {
        var (ours, criu) = ArgumentSplitter.Split(["wait", "-t", "5", "--timeout", "30s", "--tcp-established"]);
        Assert.Equal(["wait", "-t", "5", "--timeout", "30s"], ours);
        Assert.Equal(["--tcp-established"], criu);

        (ours, criu) = ArgumentSplitter.Split(["-t", "5", "--timeout", "30"]);
        Assert.Equal(["-t", "5"], ours);
        Assert.Equal(["--timeout", "30"], criu);

        (ours, criu) = ArgumentSplitter.Split(["watch", "--interval=2s", "--timeout=9"]);
        Assert.Equal(["watch", "--interval=2s"], ours);
        Assert.Equal(["--timeout=9"], criu);
    }

    [Fact]
    public void LockChangesNameThePidsAndFilesOfLinesThatChanged()
    {
        const string before = "1: FLOCK  ADVISORY  WRITE 100 fe:00:5 0 EOF\n2: POSIX  ADVISORY  READ 200 fe:00:6 0 EOF\n";
        const string after = "1: POSIX  ADVISORY  READ 200 fe:00:6 0 EOF\n2: OFDLCK ADVISORY  WRITE -1 fe:00:7 0 EOF\n2: -> FLOCK  ADVISORY  WRITE 300 fe:00:5 0 EOF\n";
        var (pids, files) = HostWatch.LockChanges(before, after);
        Assert.Equal([100], pids.Order());
        Assert.Equal([5UL, 7UL], files.Select(f => f.Inode).Order());
        Assert.Empty(HostWatch.LockChanges(before, before).Pids);
    }
}
