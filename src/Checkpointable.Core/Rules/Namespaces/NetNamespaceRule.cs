using Checkpointable.Model;

namespace Checkpointable.Rules.Namespaces;

/// <summary>
/// N-NET1–N-NET3: a root in its own network namespace makes criu lock the whole namespace with
/// iptables-restore/ip6tables-restore (net.c:3332), dump its devices, of which it knows only loopback, veth,
/// tun/tap, bridge, macvlan, sit and venet (net.c dump_one_link, :650), and save it with `ip` (net.c:1969) and,
/// when built without libnftables, with iptables-save (net.c:1987).
/// </summary>
public sealed class NetNamespaceRule : IRule
{
    private const ushort ArphrdEther = 1, ArphrdLoopback = 772, ArphrdSit = 776, ArphrdIpGre = 778, ArphrdVoid = 0xffff, ArphrdNone = 0xfffe;

    public string Name => nameof(NetNamespaceRule);

    /// <summary>net.c dump_one_link and its per-type helpers; the fallback devices gre0, gretap0 and sit0 are skipped.</summary>
    private static bool Supported(NetDevice d) => d.Type switch
    {
        ArphrdLoopback => true,
        _ when d.Kind is null => false,
        ArphrdEther => d.Kind is "veth" or "tun" or "bridge" or "macvlan" || (d.Kind == "gretap" && d.Name == "gretap0"),
        ArphrdNone => d.Kind == "tun",
        ArphrdVoid => d.Kind == "venet",
        ArphrdIpGre => d.Kind == "gre" && d.Name == "gre0",
        ArphrdSit => d.Kind == "sit",
        _ => false,
    };

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
                c.Options.NetworkLock == Options.NetworkLockMethod.Nftables
                    ? $"the root has its own network namespace ({ns}) and --network-lock nftables, but this criu was built without libnftables"
                    : $"the root has its own network namespace ({ns}); criu locks it with iptables-restore and ip6tables-restore, which are not installed",
                c.Options.NetworkLock == Options.NetworkLockMethod.Nftables
                    ? "CRIU was built without libnftables support (criu/netfilter.c:233)"
                    : "Locking network failed: iptables-restore returned %d. (criu/net.c:3332)",
                lift: [c.NetworkLockRemedy]);
        }

        // An external namespace or --empty-ns net (runc always sends it) skips dumping the namespace's devices,
        // addresses, routes and rules (net.c dump_net_ns), but not its lock above (network_lock: root_ns_mask).
        bool external = c.Options.IsExternalNamespace("net", ns) || c.Options.EmptyNetNs;
        if (c.Snapshot.NetDevices.TryGetValue(ns, out var listed) && !external)
        {
            if (listed.Devices is null)
            {
                c.Report("N-NET2", Subsystem.Namespaces, c.Root, "process", $"the devices of network namespace {ns} could not be listed ({listed.Failure})",
                    severity: Severity.Unknown);
            }
            else
            {
                foreach (var d in listed.Devices.Where(d => !Supported(d)))
                {
                    c.Report("N-NET2", Subsystem.Namespaces, c.Root, $"device {d.Name}",
                        $"network device {d.Name} (kind {d.Kind ?? "none"}, type {d.Type}) in the root's network namespace: criu dumps only loopback, veth, tun/tap, bridge, macvlan, sit and venet devices",
                        "Unsupported link %d (type %d kind %s) (criu/net.c:650)", lift: [$"--external net[{ns}]:netns"]);
                }
            }
        }

        // Without libnftables criu always saves the namespace's rules with iptables-save and ip6tables-save
        // (net.c dump_iptables); with it, it skips them when no legacy iptables is installed (N-NET4).
        if (!c.Host.CriuHasNftables && !(c.Host.HasTool("iptables-save") && c.Host.HasTool("ip6tables-save")) && !external)
        {
            c.Report("N-NET4", Subsystem.Host, c.Root, "process",
                "this criu (built without libnftables) saves the root's network namespace with iptables-save and ip6tables-save, which are not installed",
                "%s failed (criu/net.c:1987)", lift: [$"--external net[{ns}]:netns"]);
        }

        if (!c.Host.HasTool("ip") && !external)
        {
            c.Report("N-NET3", Subsystem.Host, c.Root, "process",
                "criu saves the root's network namespace with `ip` (iproute2), which is not installed",
                "IP tool failed on %s %s %s %s (criu/net.c:1969)", lift: [$"--external net[{ns}]:netns"]);
        }
    }
}
