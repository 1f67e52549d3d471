using System.Buffers.Binary;
using Checkpointable.Model;

namespace Checkpointable.Probes;

/// <summary>
/// Parses the security.capability xattr (include/uapi/linux/capability.h struct vfs_cap_data / vfs_ns_cap_data):
/// little-endian on every architecture (security/commoncap.c reads it with le32_to_cpu).
/// </summary>
public static class FileCapabilityParser
{
    private const uint RevisionMask = 0xFF000000;
    private const uint Revision1 = 0x01000000;
    private const uint Revision2 = 0x02000000;
    private const uint Revision3 = 0x03000000;
    private const uint FlagsEffective = 0x000001;
    private const int Revision1Size = 12; // magic_etc, one {permitted, inheritable}
    private const int Revision2Size = 20; // magic_etc, two {permitted, inheritable}
    private const int Revision3Size = 24; // revision 2 and rootid
    private const int HighWordOffset = 32;

    /// <summary>The file's capabilities; null when the bytes are not a vfs_cap_data the kernel would accept.</summary>
    public static FileCapabilities? Parse(ReadOnlySpan<byte> xattr)
    {
        if (xattr.Length < sizeof(uint))
        {
            return null;
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(xattr);
        uint revision = magic & RevisionMask;
        int size = revision switch { Revision1 => Revision1Size, Revision2 => Revision2Size, Revision3 => Revision3Size, _ => -1 };
        if (size < 0 || xattr.Length != size)
        {
            return null;
        }

        ulong permitted = Word(xattr, 4), inheritable = Word(xattr, 8);
        if (revision != Revision1)
        {
            permitted |= Word(xattr, 12) << HighWordOffset;
            inheritable |= Word(xattr, 16) << HighWordOffset;
        }

        uint? rootId = revision == Revision3 ? BinaryPrimitives.ReadUInt32LittleEndian(xattr[20..]) : null;
        return new FileCapabilities(
            new CapabilitySet(permitted).Intersect(CapabilitySet.All),
            new CapabilitySet(inheritable).Intersect(CapabilitySet.All),
            (magic & FlagsEffective) != 0,
            rootId);
    }

    private static ulong Word(ReadOnlySpan<byte> b, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(b[offset..]);
}
