using Checkpointable.Probes.ProcFs;

namespace Checkpointable.Containers;

/// <summary>Reads /proc/PID/cgroup and /proc/PID/stat of every process (on all cores) into a <see cref="ContainerIndex"/>.</summary>
public static class ContainerScanner
{
    public static ContainerIndex Scan(string procRoot = "/proc")
    {
        var reader = new ProcReader();
        var pids = reader.ListNumbers(procRoot, record: false) ?? [];
        var found = new ContainerProcess?[pids.Count];
        Parallel.For(0, pids.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            found[i] = Read(new ProcReader(), procRoot, pids[i]));
        return new ContainerIndex(found.OfType<ContainerProcess>());
    }

    /// <summary>The container of one process, or null (no container, or it is gone).</summary>
    public static ContainerRef? Of(int pid, string procRoot = "/proc") =>
        new ProcReader().ReadText($"{procRoot}/{pid}/cgroup", record: false) is { } text ? ContainerPath.Match(CgroupParser.Parse(text)) : null;

    private static ContainerProcess? Read(ProcReader reader, string procRoot, int pid)
    {
        // Processes outside containers are most of a host: read stat only for those in one.
        if (reader.ReadText($"{procRoot}/{pid}/cgroup", record: false) is not { } text || ContainerPath.Match(CgroupParser.Parse(text)) is not { } container)
        {
            return null;
        }

        return reader.ReadText($"{procRoot}/{pid}/stat", record: false) is { } stat && StatParser.TryParse(stat, out var st)
            ? new ContainerProcess(pid, st.ParentPid, st.StartTime, container)
            : null;
    }
}
