using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Checkpointable.Interop;
using Checkpointable.Model;

namespace Checkpointable.Probes.SockDiag;

/// <summary>
/// One unix_diag reply (struct unix_diag_msg + UNIX_DIAG_* attributes, linux/unix_diag.h) → <see cref="UnixSocket"/>.
/// Attributes the kernel did not send keep their "none" value; unknown ones are skipped.
/// </summary>
internal static class UnixDiagParser
{
    /// <summary>False when the payload is shorter than unix_diag_msg, an attribute is badly framed or too short for its type.</summary>
    internal static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out UnixSocket? socket)
    {
        socket = null;
        if (!NetlinkReader.TryRead(out Netlink.unix_diag_msg msg, payload))
        {
            return false;
        }
        string? name = null;
        ulong peer = 0;
        IReadOnlyList<ulong> icons = [];
        uint rqueue = 0;
        uint wqueue = 0;
        byte shutdown = 0;
        uint vfsDevice = 0;
        ulong vfsInode = 0;

        var attributes = NetlinkReader.AttributesAfter<Netlink.unix_diag_msg>(payload);
        while (attributes.TryReadAttribute(out ushort type, out var value))
        {
            switch (type)
            {
                case Netlink.UNIX_DIAG_NAME:
                    name = DecodeName(value);
                    break;
                case Netlink.UNIX_DIAG_VFS:
                    if (!NetlinkReader.TryRead(out Netlink.unix_diag_vfs vfs, value))
                    {
                        return false;
                    }
                    vfsInode = vfs.udiag_vfs_ino;
                    vfsDevice = vfs.udiag_vfs_dev;
                    break;
                case Netlink.UNIX_DIAG_PEER:
                    if (value.Length < sizeof(uint))
                    {
                        return false;
                    }

                    peer = MemoryMarshal.Read<uint>(value);
                    break;
                case Netlink.UNIX_DIAG_ICONS:
                    // A u32 inode per pending connection: the *client's* inode (the peer of the embryo), 0 once the client closed.
                    if (value.Length % sizeof(uint) != 0)
                    {
                        return false;
                    }

                    icons = ReadInodes(value);
                    break;
                case Netlink.UNIX_DIAG_RQLEN:
                    if (!NetlinkReader.TryRead(out Netlink.unix_diag_rqlen rqlen, value))
                    {
                        return false;
                    }
                    rqueue = rqlen.udiag_rqueue;
                    wqueue = rqlen.udiag_wqueue;
                    break;
                case Netlink.UNIX_DIAG_SHUTDOWN:
                    if (value.IsEmpty)
                    {
                        return false;
                    }

                    shutdown = value[0];
                    break;
            }
        }

        if (attributes.IsMalformed)
        {
            return false;
        }

        socket = new UnixSocket(
            msg.udiag_ino,
            (SocketType)msg.udiag_type,
            msg.udiag_state,
            name,
            peer,
            icons,
            rqueue,
            wqueue,
            shutdown,
            vfsDevice,
            vfsInode);
        return true;
    }

    /// <summary>
    /// UNIX_DIAG_NAME is sun_path as bound (addr->len minus sun_family): a path, possibly NUL-terminated, or an abstract
    /// name that starts with NUL. Abstract names are written as /proc/net/unix and ss write them: every NUL becomes '@'.
    /// </summary>
    internal static string DecodeName(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return string.Empty;
        }

        if (value[0] != 0)
        {
            int end = value.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
        }

        // sun_path is at most 108 bytes, so this fits on the stack; the name string is the only allocation.
        Span<char> text = value.Length <= 256 ? stackalloc char[value.Length] : new char[value.Length];
        int length = Encoding.UTF8.GetChars(value, text);
        text = text[..length];
        text.Replace('\0', '@');
        return new string(text);
    }

    private static ulong[] ReadInodes(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return [];
        }

        var inodes = new ulong[value.Length / sizeof(uint)];
        for (int i = 0; i < inodes.Length; i++)
        {
            inodes[i] = MemoryMarshal.Read<uint>(value[(i * sizeof(uint))..]);
        }

        return inodes;
    }
}
