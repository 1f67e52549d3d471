using Checkpointable.Model;

namespace Checkpointable.Rules.Ipc;

/// <summary>
/// M-SYSV/IPC2: a SysV shm attachment is refused unless the root has its own IPC namespace, which criu
/// then dumps whole (cr-dump.c:477); SHM_HUGETLB segments are the same (proc_parse.c:667, is_hugetlb_dev).
/// SysV semaphores and queues in the host namespace are silently dropped (IPC1); /proc cannot tell which
/// process uses them, so they are not reported.
/// </summary>
public sealed class SysvShmRule : IRule
{
    public string Name => nameof(SysvShmRule);

    public void Evaluate(RuleContext c)
    {
        if (c.RootHasOwn(NamespaceKind.Ipc))
        {
            return;
        }

        foreach (var p in c.Processes)
        {
            var m = p.Mappings.FirstOrDefault(m => m.Path.StartsWith("/SYSV", StringComparison.Ordinal)
                && (c.Host.ShmemDevice is not { } shm || m.Device == shm || c.Host.HugetlbOf(m.Device) is { CriuFindsDevice: true }));
            if (m is not null)
            {
                c.Report("M-SYSV", Subsystem.Ipc, p, $"mapping {m.Range}",
                    $"attaches SysV shared memory (key 0x{m.Path[5..Math.Min(m.Path.Length, 13)]}, shmid inode {m.Inode}) in the host IPC namespace; run the workload in its own IPC namespace",
                    "Task %d with SysVIPC shmem map @%lx doesn't live in IPC ns (criu/cr-dump.c:477)");
            }
        }
    }
}
