using Checkpointable.Model;

namespace Checkpointable.Rules.Sockets;

/// <summary>
/// §6.3 (sk-inet.c): UDP sockets are dumped with their queues dropped (D2), except corked ones (D4), which
/// criu refuses; UDP_CORK is invisible to /proc, and a send queue that stays non-empty is the proxy.
/// </summary>
public sealed class DatagramRule : IRule
{
    public string Name => nameof(DatagramRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var s in SocketRef.InTree(c))
        {
            if (s.Inet is not { Protocol: IpProtocol.Udp or IpProtocol.UdpLite } u)
            {
                continue;
            }

            if (s.Fd.SocketOptions?.Corked is { } corked)
            {
                if (corked)
                {
                    c.Report("D4", Subsystem.Sockets, s.Process, s.Resource, $"UDP socket {u.Local} is corked (UDP_CORK)",
                        "Can't dump corked dgram socket %x (criu/sk-inet.c:504)", fd: s.Fd.Fd, isVolatile: true);
                }
            }
            else if (u.SendQueue > 0)
            {
                c.Report("D4", Subsystem.Sockets, s.Process, s.Resource,
                    $"UDP socket {u.Local} holds {u.SendQueue} unsent bytes: most likely corked (UDP_CORK)",
                    "Can't dump corked dgram socket %x (criu/sk-inet.c:504)", fd: s.Fd.Fd, certainty: Certainty.Likely, isVolatile: true);
            }

            if (u.ReceiveQueue > 0)
            {
                c.Report("D2", Subsystem.Sockets, s.Process, s.Resource, $"UDP socket {u.Local}: {u.ReceiveQueue} queued bytes will be dropped",
                    fd: s.Fd.Fd, severity: Severity.Lossy, isVolatile: true);
            }
        }
    }
}
