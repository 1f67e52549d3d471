using System.Globalization;

namespace Checkpointable.Rules;

/// <summary>Sizes as people and criu's parse_size read them.</summary>
public static class Size
{
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    /// <summary>
    /// Room left above the allocated size in a suggested --ghost-limit: criu compares st_blocks at dump time
    /// (files-reg.c:1031), and a file still under delayed allocation gains its extent-tree blocks at writeback
    /// (zdtm ghost_multi_hole01: 4 MiB of data seen, 4 MiB + 16 KiB when criu ran).
    /// </summary>
    private const int HeadroomDivisor = 64;

    /// <summary>The smallest whole-MiB --ghost-limit that admits <paramref name="bytes"/> plus 1/64 of headroom (the limit is inclusive).</summary>
    public static string Limit(long bytes)
    {
        long wanted = bytes + (bytes / HeadroomDivisor);
        return string.Create(CultureInfo.InvariantCulture, $"{(wanted + (1L << 20) - 1) >> 20}M");
    }
}
