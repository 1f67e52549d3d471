using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Checkpointable.Interop;
using Checkpointable.Model;

namespace Checkpointable.Probes.SockDiag;

/// <summary>
/// One netlink_diag reply (struct netlink_diag_msg + NETLINK_DIAG_* attributes, linux/netlink_diag.h) → <see cref="NetlinkSocket"/>.
/// </summary>
internal static class NetlinkDiagParser
{
    internal static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out NetlinkSocket? socket)
    {
        socket = null;
        if (!NetlinkReader.TryRead(out Netlink.netlink_diag_msg msg, payload))
        {
            return false;
        }
        IReadOnlyList<uint> groups = [];
        uint receiveMemory = 0;

        var attributes = NetlinkReader.AttributesAfter<Netlink.netlink_diag_msg>(payload);
        while (attributes.TryReadAttribute(out ushort type, out var value))
        {
            switch (type)
            {
                case Netlink.NETLINK_DIAG_GROUPS:
                    if (value.Length % sizeof(uint) != 0)
                    {
                        return false;
                    }

                    groups = ReadGroups(value);
                    break;
                case Netlink.NETLINK_DIAG_MEMINFO:
                    // u32[SK_MEMINFO_VARS] (linux/sock_diag.h); older kernels send fewer entries, never none.
                    int offset = Netlink.SK_MEMINFO_RMEM_ALLOC * sizeof(uint);
                    if (value.Length < offset + sizeof(uint))
                    {
                        return false;
                    }

                    receiveMemory = MemoryMarshal.Read<uint>(value[offset..]);
                    break;
            }
        }

        if (attributes.IsMalformed)
        {
            return false;
        }

        socket = new NetlinkSocket(msg.ndiag_ino, msg.ndiag_protocol, msg.ndiag_portid, groups, receiveMemory);
        return true;
    }

    /// <summary>
    /// NETLINK_DIAG_GROUPS is the kernel's group bitmap, an array of unsigned long (net/netlink/diag.c copies nlk->groups).
    /// Returned as 32-bit words, group g at bit (g-1)%32 of word (g-1)/32: on a little-endian machine that is just the
    /// bytes read as u32; on a big-endian 64-bit one each long's two halves come low word first.
    /// </summary>
    private static uint[] ReadGroups(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return [];
        }

        var words = new uint[value.Length / sizeof(uint)];
        if (BitConverter.IsLittleEndian || IntPtr.Size == sizeof(uint) || value.Length % sizeof(ulong) != 0)
        {
            for (int i = 0; i < words.Length; i++)
            {
                words[i] = MemoryMarshal.Read<uint>(value[(i * sizeof(uint))..]);
            }
        }
        else
        {
            for (int i = 0; i < words.Length; i += 2)
            {
                ulong bits = MemoryMarshal.Read<ulong>(value[(i * sizeof(uint))..]);
                words[i] = (uint)bits;
                words[i + 1] = (uint)(bits >> 32);
            }
        }

        return words;
    }
}
