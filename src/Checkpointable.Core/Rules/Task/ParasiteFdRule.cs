namespace Checkpointable.Rules.Task;

/// <summary>
/// T-NOFILE: criu's parasite takes descriptors inside every dumped process (compel/src/lib/infect.c:847 memfd_create,
/// then the parasite's control socket compel/plugins/std/infect.c:162, a page pipe end received for each batch of
/// pages criu/mem.c, /proc/self/cgroup in criu/pie/parasite.c:835), each at the lowest free number below the task's
/// soft RLIMIT_NOFILE. A process left with too few free numbers below that limit (OpenSSH's pre-auth child sets it
/// to 0) cannot be infected. Measured with criu 4.2: 3 free numbers fail (the cgroup fd), 4 succeed.
/// </summary>
public sealed class ParasiteFdRule : IRule
{
    /// <summary>Descriptors the parasite holds at once in the task (memfd closed first, then socket, page pipe, cgroup).</summary>
    public const int ParasiteDescriptors = 4;

    public string Name => nameof(ParasiteFdRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            if (p.IsZombie || p.OpenFilesLimit is not { } limit || limit >= (ulong)int.MaxValue)
            {
                continue;
            }

            long below = p.Fds.Count(f => (ulong)f.Fd < limit);
            long free = (long)limit - below;
            if (free >= ParasiteDescriptors)
            {
                continue;
            }

            c.Report("T-NOFILE", Subsystem.Task, p, "process",
                $"RLIMIT_NOFILE is {limit} with {below} descriptors open below it: {Math.Max(free, 0)} free, criu's parasite needs {ParasiteDescriptors} in the task",
                free <= 0
                    ? "Can't create memfd in victim: Too many open files (compel/src/lib/infect.c:847)"
                    : "Can't dump page with parasite / can't get /proc/self/cgroup fd (criu/mem.c:718, criu/pie/parasite.c:835)",
                certainty: free <= 0 ? Certainty.Certain : Certainty.Likely);
        }
    }
}
