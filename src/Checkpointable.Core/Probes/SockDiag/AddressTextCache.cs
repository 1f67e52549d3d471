using System.Buffers.Binary;
using System.Net;
using Checkpointable.Interop;

namespace Checkpointable.Probes.SockDiag;

/// <summary>
/// Turns inet_diag addresses into <see cref="IPAddress.ToString"/> text, reusing the string for an address seen before.
/// A host with 400k sockets has a handful of local addresses (0.0.0.0, 127.0.0.1, its own), so this saves most of the
/// per-socket string and IPAddress allocations. Bounded, so that many distinct remote addresses cannot grow it without limit.
/// Not thread-safe: one per collection.
/// </summary>
internal sealed class AddressTextCache
{
    private const int MaxEntries = 4096;

    private readonly Dictionary<uint, string> _v4 = [];
    private readonly Dictionary<UInt128, string> _v6 = [];

    /// <summary>
    /// Text of an address given as the 16 bytes of an inet_diag_sockid idiag_src/idiag_dst (network order; IPv4 uses
    /// the first 4). Returns null for a family other than AF_INET/AF_INET6.
    /// </summary>
    internal string? Format(byte family, ReadOnlySpan<byte> address)
    {
        if (family == Netlink.AF_INET && address.Length >= 4)
        {
            uint key = BinaryPrimitives.ReadUInt32BigEndian(address);
            if (!_v4.TryGetValue(key, out string? text))
            {
                text = new IPAddress(address[..4]).ToString();
                if (_v4.Count < MaxEntries)
                {
                    _v4[key] = text;
                }
            }

            return text;
        }

        if (family == Netlink.AF_INET6 && address.Length >= 16)
        {
            var key = new UInt128(BinaryPrimitives.ReadUInt64BigEndian(address), BinaryPrimitives.ReadUInt64BigEndian(address[8..]));
            if (!_v6.TryGetValue(key, out string? text))
            {
                text = new IPAddress(address[..16]).ToString();
                if (_v6.Count < MaxEntries)
                {
                    _v6[key] = text;
                }
            }

            return text;
        }

        return null;
    }
}
