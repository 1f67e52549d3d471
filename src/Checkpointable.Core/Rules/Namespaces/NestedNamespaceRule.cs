using Checkpointable.Model;

namespace Checkpointable.Rules.Namespaces;

/// <summary>
/// NS1–NS8 (namespaces.c:460, :739): a descendant in a namespace that is neither the root's nor criu's is
/// "nested". Only net and mnt may nest (CLONE_SUBNS); when the root shares criu's net/mnt namespace the
/// dump succeeds but restore fails (NS8, reported as lossy).
/// </summary>
public sealed class NestedNamespaceRule : IRule
{
    public string Name => nameof(NestedNamespaceRule);

    public void Evaluate(RuleContext c)
    {
        var root = c.Root.Namespaces;
        var criu = c.Host.CheckerNamespaces;
        foreach (var p in c.Processes.Skip(1))
        {
            foreach (var kind in NamespaceSet.All)
            {
                ulong ns = p.Namespaces[kind];
                if (ns == 0 || ns == root[kind] || ns == criu[kind])
                {
                    continue;
                }

                string name = NamespaceSet.FileName(kind);
                if (kind is NamespaceKind.Net or NamespaceKind.Mnt)
                {
                    if (!c.RootHasOwn(kind))
                    {
                        c.Report("NS8", Subsystem.Namespaces, p, "process",
                            $"in a nested {name} namespace ({ns}) while the root shares criu's: criu dumps the tree but cannot restore it",
                            "Can't restore sub-task in NS (cflags %lx) (criu/pstree.c:969, at restore)", severity: Severity.Lossy);
                    }

                    continue;
                }

                c.Report(kind is NamespaceKind.Time or NamespaceKind.TimeForChildren ? "NS6" : Id(kind), Subsystem.Namespaces, p, "process",
                    $"in a nested {name} namespace ({ns}, the root's is {root[kind]}); criu cannot dump nested {name} namespaces",
                    $"Can't dump nested {name} namespace for %d (criu/namespaces.c:460)");
            }
        }

        if (root[NamespaceKind.TimeForChildren] != 0 && root[NamespaceKind.Time] != 0
            && root[NamespaceKind.TimeForChildren] != root[NamespaceKind.Time])
        {
            c.Report("NS7", Subsystem.Namespaces, c.Root, "process", "the root's time_for_children namespace differs from its time namespace (it called unshare(CLONE_NEWTIME))",
                "Can't dump nested time namespace for %d (criu/namespaces.c:739)");
        }
    }

    private static string Id(NamespaceKind kind) => kind switch
    {
        NamespaceKind.Uts => "NS1",
        NamespaceKind.Ipc => "NS2",
        NamespaceKind.Pid => "NS3",
        NamespaceKind.User => "NS4",
        _ => "NS5",
    };
}
