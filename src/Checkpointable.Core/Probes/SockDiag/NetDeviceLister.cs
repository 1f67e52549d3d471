using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Checkpointable.Interop;
using Checkpointable.Model;

namespace Checkpointable.Probes.SockDiag;

/// <summary>
/// Lists the network devices of a namespace with an RTM_GETLINK dump over NETLINK_ROUTE, created inside that
/// namespace the same way as the sock_diag socket (criu net.c dump_links does the same from inside). Read-only.
/// </summary>
public static class NetDeviceLister
{
    /// <summary>The devices, or null with <paramref name="failure"/> set when they could not be listed.</summary>
    public static IReadOnlyList<NetDevice>? List(ulong netns, string? nsPath, out string? failure)
    {
        try
        {
            using var connection = SockDiagClient.Connect(netns, nsPath, out failure, Netlink.NETLINK_ROUTE);
            if (connection is null)
            {
                return null;
            }

            var devices = new List<NetDevice>();
            var outcome = connection.Dump(
                new Netlink.ifinfomsg(),
                default,
                payload =>
                {
                    if (!TryParse(payload, out var device))
                    {
                        return false;
                    }

                    devices.Add(device);
                    return true;
                },
                dump: true,
                type: (ushort)Netlink.RTM_GETLINK,
                replyType: Netlink.RTM_NEWLINK);
            failure = outcome.Succeeded ? null : $"{DiagFailure.ErrnoName(outcome.Errno)}: RTM_GETLINK";
            return outcome.Succeeded ? devices : null;
        }
        catch (Exception ex)
        {
            failure = $"internal error: {ex.GetType().Name}";
            return null;
        }
    }

    internal static bool TryParse(ReadOnlySpan<byte> payload, out NetDevice device)
    {
        device = null!;
        if (!NetlinkReader.TryRead(out Netlink.ifinfomsg ifi, payload))
        {
            return false;
        }
        string name = string.Empty;
        string? kind = null;
        var attributes = NetlinkReader.AttributesAfter<Netlink.ifinfomsg>(payload);
        while (attributes.TryReadAttribute(out ushort type, out var value))
        {
            if (type == Netlink.IFLA_IFNAME)
            {
                name = CString(value);
            }
            else if (type == Netlink.IFLA_LINKINFO)
            {
                var nested = new NetlinkReader(value);
                while (nested.TryReadAttribute(out ushort infoType, out var infoValue))
                {
                    if (infoType == Netlink.IFLA_INFO_KIND)
                    {
                        kind = CString(infoValue);
                    }
                }
            }
        }

        device = new NetDevice(ifi.ifi_index, name, ifi.ifi_type, kind);
        return true;
    }

    private static string CString(ReadOnlySpan<byte> value)
    {
        int nul = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul < 0 ? value : value[..nul]);
    }
}
