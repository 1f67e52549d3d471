using Checkpointable.Rules.Files;
using Checkpointable.Rules.Host;
using Checkpointable.Rules.Ipc;
using Checkpointable.Rules.Locks;
using Checkpointable.Rules.Memory;
using Checkpointable.Rules.Namespaces;
using Checkpointable.Rules.Sockets;
using Checkpointable.Rules.Task;
using Checkpointable.Rules.Tty;

namespace Checkpointable.Rules;

/// <summary>
/// Every rule, in the order criu meets the refusals (criu-dump-rules.md §0): seize-time task checks,
/// namespaces, memory, files, sockets, then the checks made after all tasks (locks, ttys, host).
/// The first blocker in this order is the error criu would most likely print.
/// </summary>
public static class RuleCatalog
{
    public static readonly IReadOnlyList<IRule> All =
    [
        new CapabilityRule(),
        new HostRule(),
        new KernelThreadRule(),
        new CheckerInTreeRule(),
        new TracedRule(),
        new PendingSigtrapRule(),
        new StoppedTaskRule(),
        new UninterruptibleRule(),
        new ZombieRule(),
        new ParasiteFdRule(),
        new SharedResourcesRule(),
        new NestedNamespaceRule(),
        new NetNamespaceRule(),
        new UserNamespaceRule(),
        new MountSharingRule(),
        new ChrootRule(),
        new MountNamespaceRule(),
        new MappingRule(),
        new HugetlbRule(),
        new SessionRule(),
        new FileTypeRule(),
        new RegularFileRule(),
        new PipeRule(),
        new PidfdRule(),
        new EpollRule(),
        new FsnotifyRule(),
        new NamespaceFdRule(),
        new SocketFamilyRule(),
        new UnixSocketRule(),
        new TcpRule(),
        new DatagramRule(),
        new NetlinkRule(),
        new PacketRule(),
        new RlimitRule(),
        new SysvShmRule(),
        new FileLockRule(),
        new TtyRule(),
        new PidNamespaceRule(),
        new ExecutableVmaRule(),
        new EvidenceRule(),
    ];
}
