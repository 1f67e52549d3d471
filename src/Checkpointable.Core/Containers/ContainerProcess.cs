namespace Checkpointable.Containers;

/// <summary>A process of the host and the container its cgroup names (null: none), with what finding the container's init needs.</summary>
public sealed record ContainerProcess(int Pid, int ParentPid, ulong StartTime, ContainerRef? Container);
