using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Checkpointable.Interop;
using Checkpointable.Model;

namespace Checkpointable.Probes.SockDiag;

/// <summary>
/// One packet_diag reply (struct packet_diag_msg + PACKET_DIAG_* attributes, linux/packet_diag.h) → <see cref="PacketSocket"/>.
/// </summary>
internal static class PacketDiagParser
{
    internal static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out PacketSocket? socket)
    {
        socket = null;
        if (!NetlinkReader.TryRead(out Netlink.packet_diag_msg msg, payload))
        {
            return false;
        }
        IReadOnlyList<(int InterfaceIndex, uint Count)> memberships = [];

        var attributes = NetlinkReader.AttributesAfter<Netlink.packet_diag_msg>(payload);
        while (attributes.TryReadAttribute(out ushort type, out var value))
        {
            if (type != Netlink.PACKET_DIAG_MCLIST)
            {
                continue;
            }

            // A bare array of packet_diag_mclist, one per PACKET_ADD_MEMBERSHIP (net/packet/diag.c pdiag_put_mclist).
            int size = Unsafe.SizeOf<Netlink.packet_diag_mclist>();
            if (value.Length % size != 0)
            {
                return false;
            }

            if (!value.IsEmpty)
            {
                var list = new (int InterfaceIndex, uint Count)[value.Length / size];
                for (int i = 0; i < list.Length; i++)
                {
                    var entry = MemoryMarshal.Read<Netlink.packet_diag_mclist>(value[(i * size)..]);
                    list[i] = ((int)entry.pdmc_index, entry.pdmc_count);
                }

                memberships = list;
            }
        }

        if (attributes.IsMalformed)
        {
            return false;
        }

        socket = new PacketSocket(msg.pdiag_ino, (SocketType)msg.pdiag_type, msg.pdiag_num, memberships);
        return true;
    }
}
