using Checkpointable.Probes.ProcFs;
using Xunit;

namespace Checkpointable.Tests.ProcFs;

public class LimitsParserTests
{
    [Fact]
    public void ReadsTheSoftOpenFilesLimitOfRealText()
    {
        Assert.True(LimitsParser.TryParseOpenFiles(Fixture.Read("limits.txt"), out ulong soft));
        Assert.Equal(20000UL, soft);
    }

    [Theory]
    [InlineData("Max open files            0                    0                    files     \n", 0UL)]
    [InlineData("Max open files            unlimited            unlimited            files     \n", ulong.MaxValue)]
    [InlineData("Limit                     Soft Limit           Hard Limit           Units     \nMax open files            3                    20000                files", 3UL)]
    public void ReadsZeroUnlimitedAndALastLineWithoutNewline(string text, ulong expected)
    {
        Assert.True(LimitsParser.TryParseOpenFiles(text, out ulong soft));
        Assert.Equal(expected, soft);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Max open filesystem       4                    4                    files\n")]
    [InlineData("Max open files            -1                   4                    files\n")]
    [InlineData("Max open files            \n")]
    [InlineData("Max processes             96362                96362                processes\n")]
    public void RejectsMissingOrHostileRows(string text) => Assert.False(LimitsParser.TryParseOpenFiles(text, out _));
}
