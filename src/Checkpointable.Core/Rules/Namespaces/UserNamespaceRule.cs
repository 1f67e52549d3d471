using Checkpointable.Model;

namespace Checkpointable.Rules.Namespaces;

/// <summary>NR7: a root in its own user namespace needs uid 0 and gid 0 mapped there (namespaces.c:931, :997).</summary>
public sealed class UserNamespaceRule : IRule
{
    public string Name => nameof(UserNamespaceRule);

    public void Evaluate(RuleContext c)
    {
        if (!c.RootHasOwn(NamespaceKind.User))
        {
            return;
        }

        bool uid = MapsZero(c.Root.UidMap);
        bool gid = MapsZero(c.Root.GidMap);
        if (c.Root.UidMap is null || c.Root.GidMap is null)
        {
            c.Report("NR7", Subsystem.Namespaces, c.Root, "process", "the root's uid_map/gid_map could not be read",
                severity: Severity.Unknown);
        }
        else if (!uid || !gid)
        {
            c.Report("NR7", Subsystem.Namespaces, c.Root, "process",
                $"the root is in its own user namespace without {(uid ? "gid" : gid ? "uid" : "uid and gid")} 0 mapped",
                "One or more namespaces doesn't belong to the target user namespace (criu/namespaces.c:997)");
        }
    }

    /// <summary>A line "inside outside count" whose inside range covers 0.</summary>
    private static bool MapsZero(string? map) =>
        map is not null && map.Split('\n', StringSplitOptions.RemoveEmptyEntries).Any(line =>
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return f.Length == 3 && ulong.TryParse(f[0], out ulong inside) && ulong.TryParse(f[2], out ulong count) && inside == 0 && count > 0;
        });
}
