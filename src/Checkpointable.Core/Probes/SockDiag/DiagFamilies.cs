using Checkpointable.Model;

namespace Checkpointable.Probes.SockDiag;

/// <summary>Which sock_diag dump describes a socket, from its system.sockprotoname (the kernel's proto->name).</summary>
public static class DiagFamilies
{
    /// <summary>The dump for that protocol name; null for a family no dump describes (CRIU supports none of them).</summary>
    public static DiagFamily? Of(string? protocol) => protocol switch
    {
        "UNIX" or "UNIX-STREAM" => DiagFamily.Unix,
        "TCP" or "TCPv6" => DiagFamily.Tcp,
        "UDP" or "UDPv6" => DiagFamily.Udp,
        "UDP-Lite" or "UDPLITEv6" => DiagFamily.UdpLite,
        "RAW" or "RAWv6" or "PING" or "PINGv6" => DiagFamily.Raw,
        "NETLINK" => DiagFamily.Netlink,
        "PACKET" => DiagFamily.Packet,
        _ => null,
    };
}
