using Checkpointable.Model;

namespace Checkpointable.Rules.Namespaces;

/// <summary>T22: a root in its own pid namespace must be that namespace's init, or the namespace declared external (namespaces.c:1117).</summary>
public sealed class PidNamespaceRule : IRule
{
    public string Name => nameof(PidNamespaceRule);

    public void Evaluate(RuleContext c)
    {
        if (!c.RootHasOwn(NamespaceKind.Pid) || c.Root.Status is not { } st || st.InnermostPid == 1)
        {
            return;
        }

        ulong ns = c.Root.Namespaces[NamespaceKind.Pid];
        string key = $"pid[{ns}]:pidns";
        c.Report("T22", Subsystem.Namespaces, c.Root, "process",
            $"the root is pid {st.InnermostPid} in its own pid namespace {ns}, whose init is outside the tree",
            "Can't dump a pid namespace without the process init (criu/namespaces.c:1117)",
            lift: [$"--external {key}"], liftedNow: c.Options.IsExternalNamespace("pid", ns));
    }
}
