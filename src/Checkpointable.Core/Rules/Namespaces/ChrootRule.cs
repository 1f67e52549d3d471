using Checkpointable.Model;

namespace Checkpointable.Rules.Namespaces;

/// <summary>
/// M-CHROOT / F-REG12: a chroot'ed task in criu's own mount namespace is fine (its paths resolve from criu's "/",
/// mount.c:3844-3858, and its namespace's mounts come from criu's own mountinfo). When the root has a mount
/// namespace of its own, criu reads the mounts from the root's mountinfo (mount.c:1889 collect_mntinfo), which a
/// chroot empties or trims, and opens the namespace's root through the root task, whose root must be "/"
/// ("The root task has another root than mntns", mount.c:3876).
/// </summary>
public sealed class ChrootRule : IRule
{
    public string Name => nameof(ChrootRule);

    public void Evaluate(RuleContext c)
    {
        if (!c.RootHasOwn(NamespaceKind.Mnt) || c.Root.Root is not { } root || root == "/")
        {
            return;
        }

        bool empty = c.Snapshot.MountsOf(c.Root) is { Entries.Count: 0 };
        c.Report("F-REG12", Subsystem.Namespaces, c.Root, "process",
            $"the root is chroot'ed to {root} inside its own mount namespace{(empty ? ", and its mountinfo lists no mount under that root" : string.Empty)}",
            empty
                ? "Can't parse %d's mountinfo (criu/mount.c:1895)"
                : "The root task has another root than mntns: %s (criu/mount.c:3876)");
    }
}
