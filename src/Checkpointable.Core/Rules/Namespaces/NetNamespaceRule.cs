using Checkpointable.Model;

namespace Checkpointable.Rules.Namespaces;

/// <summary>
/// N-NET1/N-NET3: a root in its own network namespace makes criu lock the whole namespace with
/// iptables-restore/ip6tables-restore (net.c:3332) and save it with `ip` (net.c:1969).
/// </summary>
public sealed class NetNamespaceRule : IRule
{
    public string Name => nameof(NetNamespaceRule);

    public void Evaluate(RuleContext c)
    {
        if (!c.RootHasOwn(NamespaceKind.Net))
        {
            return;
        }

        ulong ns = c.Root.Namespaces[NamespaceKind.Net];
        if (!c.NetworkLockWorks(perConnection: false, ipv6: false))
        {
            c.Report("N-NET1", Subsystem.Namespaces, c.Root, "process",
                $"the root has its own network namespace ({ns}); criu locks it with iptables-restore and ip6tables-restore, which {(c.Options.NetworkLock == Options.NetworkLockMethod.Nftables ? "is not used: --network-lock nftables needs libnftables, not installed" : "are not installed")}",
                "Locking network failed: iptables-restore returned %d. (criu/net.c:3332)",
                lift: [c.NetworkLockRemedy]);
        }

        if (!c.Host.HasTool("ip") && !c.Options.IsExternalNamespace("net", ns))
        {
            c.Report("N-NET3", Subsystem.Host, c.Root, "process",
                "criu saves the root's network namespace with `ip` (iproute2), which is not installed",
                "IP tool failed on %s %s %s %s (criu/net.c:1969)", lift: [$"--external net[{ns}]:netns"]);
        }
    }
}
