namespace Checkpointable.Containers;

/// <summary>
/// One line of /proc/PID/cgroup, `HIERARCHY-ID:CONTROLLERS:PATH` (cgroups(7)): `0::/PATH` is the cgroup v2
/// hierarchy, `12:pids:/PATH` or `1:name=systemd:/PATH` a v1 one.
/// </summary>
public sealed record CgroupLine(int HierarchyId, string Controllers, string Path)
{
    public bool IsUnified => HierarchyId == 0 && Controllers.Length == 0;
}
