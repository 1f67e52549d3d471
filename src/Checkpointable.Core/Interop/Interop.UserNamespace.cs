using System.Runtime.InteropServices;

namespace Checkpointable.Interop;

/// <summary>
/// ioctl_ns(2) on a /proc/PID/ns/user link: who created a user namespace, for the kernel's ns_capable() rule
/// that the creator's euid holds every capability in the namespaces it created (kernel/capability.c
/// has_ns_capability via security/commoncap.c cap_capable). Opening the link reads nothing of the target.
/// </summary>
internal static unsafe partial class UserNamespace
{
    private const int O_RDONLY = 0;
    private const int O_CLOEXEC = 0x80000;

    /// <summary>NSIO 0xb7 (include/uapi/linux/nsfs.h); _IO() encodes no size or direction on every architecture.</summary>
    private const ulong NsIo = 0xb7;
    private const ulong NS_GET_PARENT = (NsIo << 8) | 0x2;
    private const ulong NS_GET_OWNER_UID = (NsIo << 8) | 0x4;

    /// <summary>The kernel's limit on user namespace nesting (kernel/user_namespace.c create_user_ns: level > 32).</summary>
    private const int MaxDepth = 33;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open_(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl_(int fd, ulong request, nint arg);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int close_(int fd);

    /// <summary>
    /// The owner uid (as seen from here) of the ancestor of the user namespace at <paramref name="nsLink"/> whose
    /// parent is <paramref name="ours"/>: the namespace whose creator the kernel asks about. Null when it cannot be
    /// found (no such process, not a descendant of ours, the kernel refuses).
    /// </summary>
    internal static uint? OwnerBelow(string nsLink, ulong ours)
    {
        int fd = open_(nsLink, O_RDONLY | O_CLOEXEC);
        for (int depth = 0; fd >= 0 && depth < MaxDepth; depth++)
        {
            int parent = ioctl_(fd, NS_GET_PARENT, 0); // EPERM: the parent is outside ours, so fd is not below ours
            if (parent < 0)
            {
                break;
            }

            bool isOurs = Libc.Stat($"/proc/self/fd/{parent}", out var st) == 0 && st.Inode == ours;
            if (isOurs)
            {
                close_(parent);
                uint owner = 0;
                int rc = ioctl_(fd, NS_GET_OWNER_UID, (nint)(&owner));
                close_(fd);
                return rc == 0 ? owner : null;
            }

            close_(fd);
            fd = parent;
        }

        if (fd >= 0)
        {
            close_(fd);
        }

        return null;
    }
}
