namespace Checkpointable.Containers;

/// <summary>
/// A container as its cgroup path names it: the runtime that made it, its 64-hex id, the cgroup directory of the
/// container (processes in it or below it belong to the container) and, under Kubernetes, the pod's UID.
/// </summary>
public sealed record ContainerRef(string Runtime, string Id, string CgroupPath, string? PodUid)
{
    /// <summary>The 12-character id `docker ps` and `crictl ps` show.</summary>
    public string ShortId => Id.Length > 12 ? Id[..12] : Id;
}
