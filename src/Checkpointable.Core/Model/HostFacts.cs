namespace Checkpointable.Model;

/// <summary>Facts about the machine and about us (the would-be criu) that change verdicts. Read once per run.</summary>
public sealed class HostFacts
{
    /// <summary>Our own pid and our ancestors: criu refuses a tree that contains itself (infect.c:259).</summary>
    public required IReadOnlySet<int> CheckerLineage { get; init; }

    public required int CheckerPid { get; init; }

    /// <summary>Our namespaces: the ones criu, run from here, would compare against.</summary>
    public required NamespaceSet CheckerNamespaces { get; init; }

    public required bool IsRoot { get; init; }

    /// <summary>
    /// The checker's own uids, gids and effective capabilities (/proc/self/status): criu's by default
    /// (--criu-caps self). Hand-built facts default to full root, as every rule assumed before.
    /// </summary>
    public CriuPrivileges CheckerPrivileges { get; init; } = CriuPrivileges.FullRoot with { Source = PrivilegeSource.Checker };

    /// <summary>
    /// What the criu on PATH would run with when exec'ed from here: its file capabilities (security.capability)
    /// applied to the checker's credentials (--criu-caps file); the checker's own when no criu was found.
    /// </summary>
    public CriuPrivileges CriuFilePrivileges { get; init; } = CriuPrivileges.FullRoot with { Source = PrivilegeSource.CriuFile };

    /// <summary>Our effective uid, named when a read of another user's /proc files is refused.</summary>
    public uint EffectiveUserId { get; init; }

    /// <summary>The shmem device (memfd, MAP_SHARED|MAP_ANONYMOUS, SysV shm), as kerndat finds it.</summary>
    public DeviceId? ShmemDevice { get; init; }

    /// <summary>Each supported huge page size with its kernel-internal hugetlbfs device (criu's kdat.hugetlb_dev).</summary>
    public IReadOnlyList<HugetlbPool> Hugetlb { get; init; } = [];

    /// <summary>The huge page pool whose internal mount is <paramref name="device"/> (criu's is_hugetlb_dev), or null.</summary>
    public HugetlbPool? HugetlbOf(DeviceId device) => Hugetlb.FirstOrDefault(h => h.Device == device);

    /// <summary>Executables found on PATH that criu runs: iptables-restore, ip6tables-restore, ip, tar, …</summary>
    public required IReadOnlySet<string> Tools { get; init; }

    /// <summary>
    /// criu was built with libnftables: --network-lock nftables works, and an own network namespace is saved
    /// without iptables-save. Read from the installed criu binary; without one, CRIU 4.2 as built for the
    /// reference machine of shared/oracle (with libnftables) is assumed.
    /// </summary>
    public bool CriuHasNftables { get; init; }

    /// <summary>The criu binary found on PATH, if any (its build decides <see cref="CriuHasNftables"/>).</summary>
    public string? CriuPath { get; init; }

    /// <summary>criu plugins found in /usr/lib/criu (amdgpu_plugin.so, cuda_plugin.so).</summary>
    public IReadOnlyList<string> Plugins { get; init; } = [];

    public string KernelRelease { get; init; } = string.Empty;

    public bool HasTool(string name) => Tools.Contains(name);
}
