using System.Runtime.InteropServices;

namespace Checkpointable.Interop;

internal static unsafe partial class Libc
{
    private const uint STATX_SIZE = 0x200;

    /// <summary>
    /// The number of open fds of a process in one syscall: since Linux 6.2 the size of /proc/PID/fd is that count
    /// (fs/proc/fd.c proc_fd_getattr). Returns the count, or -errno (ENOENT/ESRCH: gone; EACCES: not ours).
    /// </summary>
    internal static long FdCount(int pid)
    {
        StatxBuffer sb;
        string path = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/proc/{pid}/fd");
        int rc = statx_(AT_FDCWD, path, 0, STATX_SIZE, &sb);
        return rc < 0 ? -Marshal.GetLastPInvokeError() : (long)sb.stx_size;
    }
}
