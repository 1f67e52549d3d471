namespace Checkpointable.Model;

/// <summary>
/// One huge page size the kernel supports. Its files (MAP_HUGETLB mappings, hugetlb memfds, SHM_HUGETLB
/// segments) live on a kernel-internal hugetlbfs mount whose device criu learns in kerndat.c
/// kerndat_get_hugetlb_dev by mapping one huge page of that size; with none free it cannot learn it
/// ("Hugetlb size %llu Mb is supported but cannot get dev's number", kerndat.c:324) and takes the mapping
/// for a file on a mount no namespace has.
/// </summary>
/// <param name="PageSize">The page size in bytes.</param>
/// <param name="Device">st_dev of the internal mount.</param>
/// <param name="CriuFindsDevice">
/// A page of this size was free for criu's probe mapping when the host was read, or criu's kerndat cache
/// (/run/criu.kdat, kept from an earlier run) may already hold the device.
/// </param>
public sealed record HugetlbPool(long PageSize, DeviceId Device, bool CriuFindsDevice);
