using System.Runtime.InteropServices;

namespace Checkpointable.Interop;

/// <summary>
/// libc calls the /proc probes need. Raw imports are private; the wrappers own errno and buffers
/// and return errno as data (0 = success) so that callers can turn failures into evidence.
/// </summary>
internal static unsafe partial class Libc
{
    internal const int ENOENT = 2;
    internal const int ESRCH = 3;
    internal const int EINTR = 4;
    internal const int EACCES = 13;
    internal const int EPERM = 1;
    internal const int ENODATA = 61;
    internal const int ENXIO = 6;
    internal const int EINVAL = 22;
    internal const int EBADF = 9;

    private const int O_RDONLY = 0;
    private const int O_DIRECTORY = 0x10000;
    private const int O_CLOEXEC = 0x80000;
    private const int O_PATH = 0x200000;
    private const int AT_FDCWD = -100;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const uint STATX_BASIC_STATS = 0x7ff;
    private const long SYS_getdents64 = 217;
    private const long SYS_kcmp = 312;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open_(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint read_(int fd, byte* buf, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int close_(int fd);

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint readlink_(string path, byte* buf, nint size);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx_(int dirfd, string path, int flags, uint mask, StatxBuffer* buf);

    [LibraryImport("libc", EntryPoint = "getxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getxattr_(string path, string name, byte* value, nint size);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall_(long number, long a1, long a2, long a3, long a4, long a5);

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int memfd_create_(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "getpid")]
    internal static partial int GetPid();

    /// <summary>struct statx from linux/stat.h (256 bytes, the same on every architecture).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct StatxBuffer
    {
        public uint stx_mask;
        public uint stx_blksize;
        public ulong stx_attributes;
        public uint stx_nlink;
        public uint stx_uid;
        public uint stx_gid;
        public ushort stx_mode;
        public ushort __spare0;
        public ulong stx_ino;
        public ulong stx_size;
        public ulong stx_blocks;
        public ulong stx_attributes_mask;
        public fixed byte timestamps[64];
        public uint stx_rdev_major;
        public uint stx_rdev_minor;
        public uint stx_dev_major;
        public uint stx_dev_minor;
        public fixed ulong __spare2[18];
    }

    /// <summary>Reads a whole file into <paramref name="buffer"/> (grown as needed). Returns 0 or errno.</summary>
    /// <remarks>/proc sizes from stat are meaningless, so read until EOF instead of trusting them.</remarks>
    internal static int ReadFile(string path, ref byte[] buffer, out int length)
    {
        length = 0;
        int fd = open_(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                nint n;
                fixed (byte* p = &buffer[length])
                {
                    n = read_(fd, p, buffer.Length - length);
                }

                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    return errno;
                }

                if (n == 0)
                {
                    return 0;
                }

                length += (int)n;
            }
        }
        finally
        {
            close_(fd);
        }
    }

    /// <summary>readlink(2) into a UTF-8 string; bytes that are not UTF-8 become U+FFFD. Returns 0 or errno.</summary>
    internal static int ReadLink(string path, out string target)
    {
        byte* buf = stackalloc byte[4096];
        nint n = readlink_(path, buf, 4096);
        if (n < 0)
        {
            target = string.Empty;
            return Marshal.GetLastPInvokeError();
        }

        target = System.Text.Encoding.UTF8.GetString(buf, (int)n);
        return 0;
    }

    /// <summary>statx(2) following links (so /proc/P/fd/N gives the open file itself). Returns 0 or errno.</summary>
    internal static int Stat(string path, out Model.FileStat stat, bool followLinks = true)
    {
        StatxBuffer sb;
        int rc = statx_(AT_FDCWD, path, followLinks ? 0 : AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sb);
        if (rc < 0)
        {
            stat = default;
            return Marshal.GetLastPInvokeError();
        }

        stat = new Model.FileStat(
            sb.stx_mode,
            new Model.DeviceId(sb.stx_dev_major, sb.stx_dev_minor),
            sb.stx_ino,
            new Model.DeviceId(sb.stx_rdev_major, sb.stx_rdev_minor),
            sb.stx_nlink,
            (long)sb.stx_size,
            (long)sb.stx_blocks);
        return 0;
    }

    /// <summary>getxattr(2) as bytes (at most 256, e.g. security.capability of a file). Returns 0 or errno.</summary>
    internal static int GetXattrBytes(string path, string name, out byte[] value)
    {
        const int Max = 256;
        byte* buf = stackalloc byte[Max];
        nint n = getxattr_(path, name, buf, Max);
        if (n < 0)
        {
            value = [];
            return Marshal.GetLastPInvokeError();
        }

        value = new ReadOnlySpan<byte>(buf, (int)n).ToArray();
        return 0;
    }

    /// <summary>getxattr(2) as text, e.g. "system.sockprotoname" on /proc/P/fd/N. Returns 0 or errno.</summary>
    internal static int GetXattr(string path, string name, out string value)
    {
        byte* buf = stackalloc byte[256];
        nint n = getxattr_(path, name, buf, 256);
        if (n < 0)
        {
            value = string.Empty;
            return Marshal.GetLastPInvokeError();
        }

        int len = (int)n;
        while (len > 0 && buf[len - 1] == 0)
        {
            len--;
        }

        value = System.Text.Encoding.UTF8.GetString(buf, len);
        return 0;
    }

    /// <summary>Lists the numeric entries of a directory (pids, tids, fd numbers) with getdents64. Returns 0 or errno.</summary>
    internal static int ListNumbers(string path, List<int> into)
    {
        int fd = open_(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        try
        {
            byte* buf = stackalloc byte[16384];
            while (true)
            {
                long n = syscall_(SYS_getdents64, fd, (long)buf, 16384, 0, 0);
                if (n < 0)
                {
                    return Marshal.GetLastPInvokeError();
                }

                if (n == 0)
                {
                    return 0;
                }

                // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                for (long off = 0; off < n;)
                {
                    byte* rec = buf + off;
                    ushort reclen = *(ushort*)(rec + 16);
                    byte* name = rec + 19;
                    int value = 0;
                    bool numeric = *name != 0;
                    for (byte* c = name; *c != 0; c++)
                    {
                        if (*c < (byte)'0' || *c > (byte)'9' || value > 214748363)
                        {
                            numeric = false;
                            break;
                        }

                        value = (value * 10) + (*c - '0');
                    }

                    if (numeric)
                    {
                        into.Add(value);
                    }

                    off += reclen;
                }
            }
        }
        finally
        {
            close_(fd);
        }
    }

    /// <summary>kcmp(2): 0 equal, 1 less, 2 greater, 3 not equal (unordered), or -errno.</summary>
    /// <remarks>Needs only PTRACE_MODE_READ on both processes: no attach, no stop (kernel/kcmp.c).</remarks>
    internal static int Kcmp(int pid1, int pid2, int type)
    {
        long rc = syscall_(SYS_kcmp, pid1, pid2, type, 0, 0);
        return rc < 0 ? -Marshal.GetLastPInvokeError() : (int)rc;
    }

    /// <summary>
    /// The mount id behind a /proc magic link (exe, cwd, map_files/…): opened with O_PATH, which does not
    /// call into the file system (no FUSE round trip), then read from our own fdinfo. Returns 0 or errno.
    /// </summary>
    internal static int MountIdOf(string magicLink, out int mountId)
    {
        mountId = -1;
        int fd = open_(magicLink, O_PATH | O_CLOEXEC);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        try
        {
            byte[] buffer = new byte[512];
            int rc = ReadFile($"/proc/self/fdinfo/{fd}", ref buffer, out int length);
            if (rc != 0)
            {
                return rc;
            }

            var info = Probes.ProcFs.FdInfoParser.Parse(System.Text.Encoding.UTF8.GetString(buffer, 0, length));
            mountId = info.MountId;
            return 0;
        }
        finally
        {
            close_(fd);
        }
    }

    /// <summary>
    /// kcmp(KCMP_EPOLL_TFD): is fd <paramref name="fd"/> of <paramref name="pid"/> the very file that epoll
    /// <paramref name="epfd"/> watches as target fd <paramref name="tfd"/>? 0 yes, other values no, -errno on error.
    /// </summary>
    internal static int KcmpEpollTarget(int pid, int fd, int epfd, int tfd, int toff)
    {
        uint* slot = stackalloc uint[3];
        slot[0] = (uint)epfd;
        slot[1] = (uint)tfd;
        slot[2] = (uint)toff;
        long rc = syscall_(SYS_kcmp, pid, pid, KCMP_EPOLL_TFD, fd, (long)slot);
        return rc < 0 ? -Marshal.GetLastPInvokeError() : (int)rc;
    }

    internal const int KCMP_EPOLL_TFD = 7;
    internal const int KCMP_VM = 1;
    internal const int KCMP_FS = 3;

    /// <summary>The st_dev of the kernel's internal shmem mount (memfd, shared anonymous memory, SysV shm), as CRIU's kerndat finds it.</summary>
    internal static Model.DeviceId? ShmemDevice() => MemfdDevice(MFD_CLOEXEC);

    /// <summary>
    /// The st_dev of the kernel's internal hugetlbfs mount for pages of 2^<paramref name="log2Size"/> bytes:
    /// memfd_create(MFD_HUGETLB) of size 0 lands there without reserving a page. Null when the size is not
    /// supported (EINVAL) or hugetlbfs is not built in.
    /// </summary>
    internal static Model.DeviceId? HugetlbDevice(int log2Size) =>
        MemfdDevice(MFD_CLOEXEC | MFD_HUGETLB | ((uint)log2Size << MFD_HUGE_SHIFT));

    /// <summary>The st_dev of a fresh, empty memfd made with <paramref name="flags"/>; null when it cannot be made.</summary>
    private static Model.DeviceId? MemfdDevice(uint flags)
    {
        int fd = memfd_create_("checkpointable-kerndat", flags);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            return Stat($"/proc/self/fd/{fd}", out var st) == 0 ? st.Device : null;
        }
        finally
        {
            close_(fd);
        }
    }

    internal const uint MFD_CLOEXEC = 1;
    internal const uint MFD_HUGETLB = 4;

    /// <summary>include/uapi/linux/memfd.h: the page size's log2 sits in bits 26-31 (the same on every architecture).</summary>
    internal const int MFD_HUGE_SHIFT = 26;

    /// <summary>The errno macro name (e.g. "EACCES"), or "errno N" for one not listed.</summary>
    internal static string ErrnoName(int errno) => errno switch
    {
        1 => "EPERM",
        2 => "ENOENT",
        3 => "ESRCH",
        4 => "EINTR",
        5 => "EIO",
        6 => "ENXIO",
        9 => "EBADF",
        11 => "EAGAIN",
        12 => "ENOMEM",
        13 => "EACCES",
        14 => "EFAULT",
        16 => "EBUSY",
        20 => "ENOTDIR",
        22 => "EINVAL",
        23 => "ENFILE",
        24 => "EMFILE",
        38 => "ENOSYS",
        61 => "ENODATA",
        90 => "EMSGSIZE",
        93 => "EPROTONOSUPPORT",
        95 => "EOPNOTSUPP",
        97 => "EAFNOSUPPORT",
        105 => "ENOBUFS",
        110 => "ETIMEDOUT",
        116 => "ESTALE",
        _ => $"errno {errno}",
    };
}
