using Checkpointable.Model;

namespace Checkpointable.Rules.Sockets;

/// <summary>§6.4 (sk-netlink.c): unread data (NL2), groups above 32 (NL3) and groups without a port id (NL4) are refused.</summary>
public sealed class NetlinkRule : IRule
{
    public string Name => nameof(NetlinkRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var s in SocketRef.InTree(c))
        {
            if (s.Netlink is not { } n)
            {
                continue;
            }

            if (n.ReceiveMemory > 0)
            {
                c.Report("NL2", Subsystem.Sockets, s.Process, s.Resource, $"netlink socket (protocol {n.Protocol}) has {n.ReceiveMemory} bytes of unread messages",
                    "The socket has data to read (criu/sk-netlink.c:77)", fd: s.Fd.Fd, isVolatile: true);
            }

            int high = HighestGroup(n.Groups);
            if (high > 32)
            {
                c.Report("NL3", Subsystem.Sockets, s.Process, s.Resource, $"netlink socket (protocol {n.Protocol}) joined multicast group {high}; criu keeps only groups 1-32",
                    "The netlink socket 0x%x has more than 32 groups (criu/sk-netlink.c:134)", fd: s.Fd.Fd);
            }
            else if (high > 0 && n.PortId == 0)
            {
                c.Report("NL4", Subsystem.Sockets, s.Process, s.Resource, "netlink socket bound to groups but not to a port id",
                    "The netlink socket 0x%x is bound to groups but not to portid (criu/sk-netlink.c:138)", fd: s.Fd.Fd);
            }
        }
    }

    private static int HighestGroup(IReadOnlyList<uint> words)
    {
        for (int w = words.Count - 1; w >= 0; w--)
        {
            if (words[w] != 0)
            {
                return (w * 32) + 32 - System.Numerics.BitOperations.LeadingZeroCount(words[w]);
            }
        }

        return 0;
    }
}
