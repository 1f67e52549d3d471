using System.Globalization;

namespace Checkpointable.Tests.Live;

/// <summary>
/// Sets the default-size huge page pool (/proc/sys/vm/nr_hugepages) so that exactly <c>free</c> pages are free,
/// and puts the old size back on dispose. Needs root; the kernel may grant fewer pages than asked.
/// </summary>
internal sealed class HugePages : IDisposable
{
    private const string PoolSize = "/proc/sys/vm/nr_hugepages";
    private const string MemInfo = "/proc/meminfo";
    private readonly long _old;

    private HugePages(long old) => _old = old;

    /// <summary>Pages now free (HugePages_Free of /proc/meminfo).</summary>
    public static long Free => MemInfoValue("HugePages_Free:");

    /// <summary>Makes the pool hold every page in use plus <paramref name="free"/>; null when the kernel would not.</summary>
    public static HugePages? Reserve(long free)
    {
        long old = long.Parse(File.ReadAllText(PoolSize).Trim(), CultureInfo.InvariantCulture);
        long used = MemInfoValue("HugePages_Total:") - Free;
        var pages = new HugePages(old);
        File.WriteAllText(PoolSize, (used + free).ToString(CultureInfo.InvariantCulture));
        if (Free != free)
        {
            pages.Dispose();
            return null;
        }

        return pages;
    }

    public void Dispose() => File.WriteAllText(PoolSize, _old.ToString(CultureInfo.InvariantCulture));

    private static long MemInfoValue(string key) =>
        File.ReadLines(MemInfo).Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => long.Parse(l[key.Length..].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
}
