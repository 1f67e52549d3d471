using Checkpointable.Rules;
using Xunit;

namespace Checkpointable.Tests.Options;

public class GhostLimitSizeTests
{
    [Theory]
    [InlineData(1L, "1M")]
    [InlineData(2L << 20, "3M")]              // exactly 2 MiB of data: writeback may still add extent blocks
    [InlineData(4L << 20, "5M")]              // zdtm ghost_multi_hole01: 4 MiB seen, 4 MiB + 16 KiB when criu ran
    [InlineData((4L << 20) + (16L << 10), "5M")]
    [InlineData((3L << 20) + (512L << 10), "4M")]
    public void ASuggestedGhostLimitAdmitsTheSizeWithHeadroom(long bytes, string expected) => Assert.Equal(expected, Size.Limit(bytes));
}
