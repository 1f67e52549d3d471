using Checkpointable.Model;

namespace Checkpointable.Rules.Files;

/// <summary>criu's mnt_is_overmounted (mount.c:1324): is a mount hidden by another one?</summary>
public static class Overmount
{
    /// <summary>
    /// Hidden when, at any level up the tree, a sibling is mounted on or above the path (sibling-overmount),
    /// or when a child of the mount itself sits on its very mountpoint (children-overmount).
    /// </summary>
    public static bool IsOvermounted(MountEntry mount, MountTable table)
    {
        var seen = new HashSet<int>();
        for (var m = mount; table.Find(m.ParentId) is { } parent && parent != m && seen.Add(m.MountId); m = parent)
        {
            foreach (var t in table.ChildrenOf(parent.MountId))
            {
                if (t.MountId != m.MountId && IsSubPath(m.MountPoint, t.MountPoint))
                {
                    return true;
                }
            }
        }

        return table.ChildrenOf(mount.MountId).Any(c => c.MountId != mount.MountId && c.MountPoint == mount.MountPoint);
    }

    /// <summary>criu's issubpath: <paramref name="path"/> is <paramref name="sub"/> or below it.</summary>
    private static bool IsSubPath(string path, string sub)
    {
        if (sub == "/")
        {
            return true;
        }

        return path.StartsWith(sub, StringComparison.Ordinal) && (path.Length == sub.Length || path[sub.Length] == '/');
    }
}
