using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Checkpointable.Interop;
using Checkpointable.Model;

namespace Checkpointable.Probes.SockDiag;

/// <summary>
/// One inet_diag reply (struct inet_diag_msg + INET_DIAG_* attributes, linux/inet_diag.h) → <see cref="InetSocket"/>.
/// The same layout answers TCP, UDP, UDP-Lite and raw dumps, for AF_INET and AF_INET6.
/// </summary>
internal static class InetDiagParser
{
    /// <summary>Byte offsets in struct inet_diag_msg (4-byte header, then inet_diag_sockid) of the big-endian fields.</summary>
    internal const int SourcePortOffset = 4;
    internal const int DestinationPortOffset = 6;
    internal const int SourceAddressOffset = 8;
    internal const int DestinationAddressOffset = 24;

    internal static bool TryParse(ReadOnlySpan<byte> payload, IpProtocol protocol, [NotNullWhen(true)] out InetSocket? socket) =>
        TryParse(payload, protocol, cache: null, out socket);

    /// <summary>
    /// <paramref name="protocol"/> is the protocol of the dump (inet_diag_msg does not carry it). False when the payload is
    /// shorter than inet_diag_msg, the family is neither AF_INET nor AF_INET6, or the attributes are badly framed.
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<byte> payload, IpProtocol protocol, AddressTextCache? cache, [NotNullWhen(true)] out InetSocket? socket)
    {
        socket = null;
        if (!NetlinkReader.TryRead(out Netlink.inet_diag_msg msg, payload))
        {
            return false;
        }
        cache ??= new AddressTextCache();
        string? local = cache.Format(msg.idiag_family, payload.Slice(SourceAddressOffset, 16));
        string? remote = cache.Format(msg.idiag_family, payload.Slice(DestinationAddressOffset, 16));
        if (local is null || remote is null)
        {
            return false;
        }

        // No attribute is needed (idiag_ext is 0), but the kernel still appends some (INET_DIAG_SHUTDOWN, …):
        // walk them so that a badly framed reply is noticed rather than half-trusted.
        var attributes = NetlinkReader.AttributesAfter<Netlink.inet_diag_msg>(payload);
        while (attributes.TryReadAttribute(out _, out _))
        {
        }

        if (attributes.IsMalformed)
        {
            return false;
        }

        socket = new InetSocket(
            msg.idiag_inode,
            msg.idiag_family,
            protocol,
            msg.idiag_state,
            local,
            BinaryPrimitives.ReadUInt16BigEndian(payload[SourcePortOffset..]),
            remote,
            BinaryPrimitives.ReadUInt16BigEndian(payload[DestinationPortOffset..]),
            msg.idiag_rqueue,
            msg.idiag_wqueue,
            msg.id.idiag_if);
        return true;
    }
}
