using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;

namespace Checkpointable.Probes;

/// <summary>
/// Reads the mount table of each mount namespace the way criu does (mount.c collect_mntinfo →
/// parse_mountinfo(ns->ns_pid)): criu's own namespace from its own /proc/self/mountinfo (namespaces.c
/// generate_ns_id gives NS_CRIU the pid getpid()), any other from a task that lives in it. A chroot'ed task's
/// mountinfo lists only the mounts under its root (often none), so it never stands for the checker's namespace.
/// </summary>
public static class MountTables
{
    private const string OwnMountInfo = "/proc/self/mountinfo";

    /// <summary>The checker's (criu's) own mount table; null when unreadable.</summary>
    public static MountTable? ReadOwn() =>
        new ProcReader().ReadText(OwnMountInfo, record: false) is { } text ? new MountTable(MountInfoParser.Parse(text)) : null;

    /// <summary>Adds to <paramref name="tables"/> the table of every mount namespace of <paramref name="processes"/>.</summary>
    public static void Read(IEnumerable<ProcessSnapshot> processes, HostFacts host, IDictionary<ulong, MountTable> tables)
    {
        var reader = new ProcReader();
        ulong own = host.CheckerNamespaces[NamespaceKind.Mnt];
        foreach (var group in processes.Where(p => p.Namespaces[NamespaceKind.Mnt] != 0).GroupBy(p => p.Namespaces[NamespaceKind.Mnt]))
        {
            var sources = group.Key == own && own != 0
                ? [OwnMountInfo]
                : group.OrderBy(p => p.Root == "/" ? 0 : 1).Select(p => $"/proc/{p.Pid}/mountinfo");
            foreach (string path in sources)
            {
                if (reader.ReadText(path, record: false) is { } text)
                {
                    tables[group.Key] = new MountTable(MountInfoParser.Parse(text));
                    break;
                }
            }
        }
    }
}
