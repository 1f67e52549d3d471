using Checkpointable.Model;

namespace Checkpointable.Rules.Files;

/// <summary>criu's mnt_is_overmounted (mount.c): is a mount hidden by a later one on or above its mountpoint?</summary>
public static class Overmount
{
    public static bool IsOvermounted(MountEntry mount, IEnumerable<MountEntry> all)
    {
        var list = all as IReadOnlyCollection<MountEntry> ?? all.ToList();
        var byId = list.ToDictionary(m => m.MountId);
        for (var cur = mount; cur is not null; cur = byId.GetValueOrDefault(cur.ParentId))
        {
            // A child mounted exactly on this mount's mountpoint hides all of it.
            if (list.Any(m => m.ParentId == cur.MountId && m.MountId != cur.MountId && m.MountPoint == cur.MountPoint))
            {
                return true;
            }

            // A sibling mounted on a directory above this mountpoint hides it too.
            if (list.Any(m => m.ParentId == cur.ParentId && m.MountId != cur.MountId && IsStrictlyBelow(cur.MountPoint, m.MountPoint)))
            {
                return true;
            }

            if (cur.ParentId == cur.MountId || !byId.ContainsKey(cur.ParentId))
            {
                break;
            }
        }

        return false;
    }

    private static bool IsStrictlyBelow(string path, string dir) =>
        dir != path && (dir == "/" ? path.StartsWith('/') : path.StartsWith(dir + "/", StringComparison.Ordinal));
}
