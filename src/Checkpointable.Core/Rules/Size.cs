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

    /// <summary>The smallest whole-MiB --ghost-limit that admits <paramref name="bytes"/> (the limit is inclusive).</summary>
    public static string Limit(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{(bytes + (1L << 20) - 1) >> 20}M");
}
