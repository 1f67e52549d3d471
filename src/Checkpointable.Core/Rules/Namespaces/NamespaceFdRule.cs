using Checkpointable.Model;

namespace Checkpointable.Rules.Namespaces;

/// <summary>NF2: an nsfs fd is dumped only if some tree task (or criu) is in that namespace (namespaces.c:532).</summary>
public sealed class NamespaceFdRule : IRule
{
    public string Name => nameof(NamespaceFdRule);

    public void Evaluate(RuleContext c)
    {
        var known = new HashSet<ulong>();
        foreach (var kind in NamespaceSet.All)
        {
            known.Add(c.Host.CheckerNamespaces[kind]);
            foreach (var p in c.Processes)
            {
                known.Add(p.Namespaces[kind]);
            }
        }

        foreach (var p in c.Processes)
        {
            foreach (var fd in p.Fds.Where(f => f.Kind == FdKind.Namespace))
            {
                if (!known.Contains(fd.LinkInode))
                {
                    c.Report("NF2", Subsystem.Namespaces, p, RuleContext.Fd(fd.Fd),
                        $"fd {fd.Fd} holds namespace {fd.Link}, which no process of the tree is in", "No NS ID with kid %u (criu/namespaces.c:532)", fd: fd.Fd);
                }
            }
        }
    }
}
