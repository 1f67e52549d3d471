using System.Globalization;
using Checkpointable.Interop;
using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;

namespace Checkpointable.Probes;

/// <summary>The huge page sizes criu probes (hugetlb.c hugetlb_info), their internal mounts and free pages.</summary>
public static class HugetlbPools
{
    /// <summary>criu/hugetlb.c hugetlb_info: 16 KiB to 16 GiB; the kernel supports a few of them per architecture.</summary>
    private static readonly int[] s_log2Sizes = [14, 16, 19, 20, 21, 23, 24, 25, 28, 29, 30, 31, 34];

    /// <summary>Where criu running as root keeps its kerndat cache (kerndat.c KERNDAT_CACHE_FILE), hugetlb devices included.</summary>
    private const string KerndatCache = "/run/criu.kdat";

    private const int BytesPerKiB = 1024;

    public static IReadOnlyList<HugetlbPool> Read()
    {
        var pools = new List<HugetlbPool>();
        bool cached = File.Exists(KerndatCache);
        foreach (int log2 in s_log2Sizes)
        {
            if (Libc.HugetlbDevice(log2) is not { } device)
            {
                continue;
            }

            long size = 1L << log2;
            pools.Add(new HugetlbPool(size, device, cached || HasPageForCriu(size)));
        }

        return pools;
    }

    /// <summary>
    /// criu's probe is mmap(MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB) of one page (kerndat.c:318), which reserves a
    /// page: it needs one free and unreserved, or room to overcommit (mm/hugetlb.c hugetlb_reserve_pages).
    /// </summary>
    private static bool HasPageForCriu(long size)
    {
        string dir = $"/sys/kernel/mm/hugepages/hugepages-{(size / BytesPerKiB).ToString(CultureInfo.InvariantCulture)}kB";
        long free = Number($"{dir}/free_hugepages"), reserved = Number($"{dir}/resv_hugepages");
        long overcommit = Number($"{dir}/nr_overcommit_hugepages"), surplus = Number($"{dir}/surplus_hugepages");
        return free - reserved > 0 || overcommit > surplus;
    }

    private static long Number(string path) =>
        ProcReader.ReadText(path, out _) is { } text && long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : 0;
}
