namespace Checkpointable.Rules.Sockets;

/// <summary>PK2 (sk-packet.c:71): a multicast membership added more than once is refused.</summary>
public sealed class PacketRule : IRule
{
    public string Name => nameof(PacketRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var s in SocketRef.InTree(c))
        {
            if (s.Packet?.MulticastMemberships.FirstOrDefault(m => m.Count > 1) is { Count: > 1 } m)
            {
                c.Report("PK2", Subsystem.Sockets, s.Process, s.Resource, $"packet socket joined a multicast group on interface {m.InterfaceIndex} {m.Count} times",
                    "Multiple MC membership not supported (but can be) (criu/sk-packet.c:71)", fd: s.Fd.Fd);
            }
        }
    }
}
