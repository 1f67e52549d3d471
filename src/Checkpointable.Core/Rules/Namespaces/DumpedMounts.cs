using Checkpointable.Model;

namespace Checkpointable.Rules.Namespaces;

/// <summary>
/// The mounts criu collects and validates for a dump (mount.c:3980-4030 collect_mnt_namespaces): every mount of
/// every mount namespace of the tree, validated only when one of them is not criu's own; with which of them
/// criu takes as external, given the options.
/// </summary>
public sealed class DumpedMounts
{
    private readonly RuleContext _c;
    private readonly ulong _rootNamespace;
    private readonly MountTable? _criuMounts;
    private readonly Dictionary<int, MountEntry?> _autodetected = [];

    private DumpedMounts(RuleContext c, List<(MountEntry Mount, ulong Namespace)> entries, MountTable? criuMounts)
    {
        _c = c;
        Entries = entries;
        _rootNamespace = c.Root.Namespaces[NamespaceKind.Mnt];
        _criuMounts = criuMounts;
    }

    /// <summary>Every mount of the dumped namespaces with its namespace, root's namespace first.</summary>
    public IReadOnlyList<(MountEntry Mount, ulong Namespace)> Entries { get; }

    /// <summary>The dumped mounts, or null when criu validates none: every tree process is in criu's mount namespace.</summary>
    public static DumpedMounts? Of(RuleContext c)
    {
        ulong criuNamespace = c.Host.CheckerNamespaces[NamespaceKind.Mnt];
        var namespaces = c.Processes.Select(p => p.Namespaces[NamespaceKind.Mnt]).Where(n => n != 0)
            .OrderBy(n => n == c.Root.Namespaces[NamespaceKind.Mnt] ? 0 : 1).Distinct().ToList();
        if (namespaces.All(n => n == criuNamespace))
        {
            return null;
        }

        var entries = new List<(MountEntry, ulong)>();
        foreach (ulong ns in namespaces)
        {
            if (c.Snapshot.Mounts.TryGetValue(ns, out var table))
            {
                entries.AddRange(table.Entries.Select(m => (m, ns)));
            }
        }

        var criuMounts = c.Snapshot.CheckerMounts ?? c.Snapshot.Mounts.GetValueOrDefault(criuNamespace);
        return new DumpedMounts(c, entries, criuMounts);
    }

    /// <summary>
    /// mnt_is_external_bind (mount.c:572-591): external itself, or bind-mountable from a mount criu takes as
    /// external (the same file system, its root under that mount's root).
    /// </summary>
    public bool IsExternalBind(MountEntry m) => BindsOf(m).Any(b => IsExternal(b) && IsSubPath(m.Root, b.Root));

    /// <summary>
    /// External to criu: declared with --external mnt[MOUNTPOINT]:KEY in the root's own mount namespace
    /// (mount.c:479-498 try_resolve_ext_mount: "Only allow mountpoint-external mounts in root mntns"), or
    /// autodetected in criu's namespace (<see cref="Autodetected"/>). A namespace's root mount never is.
    /// </summary>
    public bool IsExternal(MountEntry m)
    {
        if (IsNamespaceRoot(m))
        {
            return false;
        }

        if (_c.RootHasOwn(NamespaceKind.Mnt) && NamespaceOf(m) == _rootNamespace && _c.Options.IsExternalMount(m.MountPoint))
        {
            return true;
        }

        return _c.Options.AutodetectExternalMounts
            && Autodetected(m, _c.Options.EnableExternalSharing, _c.Options.EnableExternalMasters) is not null;
    }

    /// <summary>
    /// resolve_external_mounts (mount.c:839-905): the mount of criu's namespace this one is taken from, if the
    /// given sharing flags let it: a shared mount needs external sharing, a slave needs external masters and a
    /// match whose peer group (or master) is its master.
    /// </summary>
    public MountEntry? Autodetected(MountEntry m, bool sharing, bool masters)
    {
        if (IsNamespaceRoot(m) || BestExternalMatch(m) is not { } match)
        {
            return null;
        }

        if (m.SharedGroup != 0 && !sharing)
        {
            return null;
        }

        if (m.MasterGroup != 0 && (!masters || (m.MasterGroup != match.SharedGroup && m.MasterGroup != match.MasterGroup)))
        {
            return null;
        }

        return match;
    }

    /// <summary>
    /// find_best_external_match (mount.c:764-821): the last mount of criu's namespace on the same superblock whose
    /// root contains this one's, or the first that also shares its peer group (or is its master).
    /// </summary>
    private MountEntry? BestExternalMatch(MountEntry m)
    {
        if (_autodetected.TryGetValue(m.MountId, out var cached))
        {
            return cached;
        }

        MountEntry? candidate = null;
        foreach (var it in _criuMounts?.Entries ?? [])
        {
            if (!SameSuperblock(m, it) || !IsSubPath(m.Root, it.Root))
            {
                continue;
            }

            candidate = it;
            if ((m.SharedGroup != 0 && m.SharedGroup == it.SharedGroup) || (m.MasterGroup != 0 && m.MasterGroup == it.SharedGroup))
            {
                break;
            }
        }

        _autodetected[m.MountId] = candidate;
        return candidate;
    }

    /// <summary>The mount itself, then every mount of the dumped namespaces on the same superblock (mount.c:983-1012 search_bindmounts).</summary>
    public IEnumerable<MountEntry> BindsOf(MountEntry m)
    {
        yield return m;
        foreach (var (o, _) in Entries)
        {
            if (o.MountId != m.MountId && SameSuperblock(m, o))
            {
                yield return o;
            }
        }
    }

    /// <summary>The top mount of the root task's namespace (rst_mnt_is_root, mount.c:620-623).</summary>
    public bool IsRootNamespaceRoot(MountEntry m) => IsNamespaceRoot(m) && NamespaceOf(m) == _rootNamespace;

    /// <summary>The top mount of its namespace: its parent is not in the namespace's table.</summary>
    private bool IsNamespaceRoot(MountEntry m) =>
        _c.Snapshot.Mounts.TryGetValue(NamespaceOf(m), out var table) && !table.Contains(m.ParentId);

    private ulong NamespaceOf(MountEntry m)
    {
        foreach (var (o, ns) in Entries)
        {
            if (o.MountId == m.MountId)
            {
                return ns;
            }
        }

        return 0;
    }

    /// <summary>
    /// mounts_sb_equal (mount.c:303-335): same device, source, file system type and super block options.
    /// (criu compares cgroup and btrfs mounts more finely, which can only split what this joins.)
    /// </summary>
    private static bool SameSuperblock(MountEntry a, MountEntry b) =>
        a.Device == b.Device && a.Source == b.Source && a.FsType == b.FsType && a.SuperOptions == b.SuperOptions;

    /// <summary>is_sub_path (util.c:2093): <paramref name="path"/> is <paramref name="root"/> or below it.</summary>
    public static bool IsSubPath(string path, string root) =>
        root == "/" || path == root || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);
}
