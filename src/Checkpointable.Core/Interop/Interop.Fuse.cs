using System.Runtime.InteropServices;

namespace Checkpointable.Interop;

/// <summary>
/// The libfuse3 high-level API (libfuse 3.12 or later; Debian 12 ships 3.14), loaded from libfuse3.so.3 at run
/// time. Symbols are bound by their unversioned aliases (fuse_new_31, fuse_loop_mt_312) so that the ABI is the
/// one the struct mirrors below were checked against (/usr/include/fuse3, offsets verified with a C probe).
/// </summary>
internal static unsafe partial class Fuse
{
    internal const string Library = "libfuse3.so.3";

    [LibraryImport(Library, EntryPoint = "fuse_new_31")]
    internal static partial nint New(FuseArgs* args, FuseOperations* ops, nuint opSize, nint privateData);

    [LibraryImport(Library, EntryPoint = "fuse_mount", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Mount(nint fuse, string mountpoint);

    [LibraryImport(Library, EntryPoint = "fuse_loop_mt_312")]
    internal static partial int LoopMt(nint fuse, nint loopConfig);

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_create")]
    internal static partial nint LoopConfigCreate();

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_set_max_threads")]
    internal static partial void LoopConfigSetMaxThreads(nint loopConfig, uint value);

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_destroy")]
    internal static partial void LoopConfigDestroy(nint loopConfig);

    [LibraryImport(Library, EntryPoint = "fuse_unmount")]
    internal static partial void Unmount(nint fuse);

    [LibraryImport(Library, EntryPoint = "fuse_destroy")]
    internal static partial void Destroy(nint fuse);

    [LibraryImport(Library, EntryPoint = "fuse_opt_free_args")]
    internal static partial void FreeArgs(FuseArgs* args);

    [LibraryImport(Library, EntryPoint = "fuse_get_context")]
    internal static partial FuseContext* GetContext();

    // libc helpers the mount needs around libfuse: a thread must not be cancelled (libfuse's loop cancels its
    // workers at exit) while it runs managed code; the daemon detaches; SIGTERM unmounts lazily.
    [LibraryImport("libc", EntryPoint = "pthread_setcancelstate")]
    internal static partial int SetCancelState(int state, int* oldState);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    internal static partial int SetSid();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    internal static partial int Dup2(int oldFd, int newFd);

    [LibraryImport("libc", EntryPoint = "close")]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int stat_(string path, FuseStat* st);

    /// <summary>stat(2): 0 and the owner and mode, or errno (ENOTCONN on a mount whose daemon died).</summary>
    internal static int Stat(string path, out uint uid, out uint mode)
    {
        FuseStat st;
        if (stat_(path, &st) < 0)
        {
            uid = 0;
            mode = 0;
            return Marshal.GetLastPInvokeError();
        }

        uid = st.Uid;
        mode = st.Mode;
        return 0;
    }

    internal const int PTHREAD_CANCEL_ENABLE = 0;
    internal const int PTHREAD_CANCEL_DISABLE = 1;
    internal const int MNT_DETACH = 2;
    internal const int ENOTCONN = 107;
    internal const int O_RDWR = 2;
    internal const int O_ACCMODE = 3;
    internal const int W_OK = 2;
    internal const uint S_IFDIR = 0x4000;
    internal const uint S_IFREG = 0x8000;

    /// <summary>Whether libfuse3.so.3 can be loaded here (its absence must be a clear error, not a crash).</summary>
    internal static bool IsAvailable() => NativeLibrary.TryLoad(Library, out _);
}

/// <summary>struct fuse_args (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseArgs
{
    public int Argc;
    public byte** Argv;
    public int Allocated;
}

/// <summary>struct fuse_context (40 bytes): the caller of the request being served.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseContext
{
    public nint Fuse;
    public uint Uid;
    public uint Gid;
    public int Pid;
    public nint PrivateData;
    public uint Umask;
}

/// <summary>struct fuse_file_info (40 bytes): flags; a 32-bit word of bit fields (direct_io = bit 1); fh at 16.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFileInfo
{
    public int Flags;
    public uint Bits;
    public uint Padding2;
    public ulong Fh;
    public ulong LockOwner;
    public uint PollEvents;

    public const uint DirectIo = 1u << 1;
}

/// <summary>struct fuse_config (128 bytes); only the fields the mount sets are named, at their C offsets.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct FuseConfig
{
    [FieldOffset(24)] public double EntryTimeout;
    [FieldOffset(32)] public double NegativeTimeout;
    [FieldOffset(40)] public double AttrTimeout;
    [FieldOffset(72)] public int DirectIo;
    [FieldOffset(76)] public int KernelCache;
    [FieldOffset(80)] public int AutoCache;
}

/// <summary>struct stat on x86_64 (144 bytes); the fields the mount fills, at their C offsets.</summary>
[StructLayout(LayoutKind.Explicit, Size = 144)]
internal struct FuseStat
{
    [FieldOffset(8)] public ulong Ino;
    [FieldOffset(16)] public ulong Nlink;
    [FieldOffset(24)] public uint Mode;
    [FieldOffset(28)] public uint Uid;
    [FieldOffset(32)] public uint Gid;
    [FieldOffset(48)] public long Size;
    [FieldOffset(56)] public long Blksize;
    [FieldOffset(72)] public long AtimeSec;
    [FieldOffset(88)] public long MtimeSec;
    [FieldOffset(104)] public long CtimeSec;
}

/// <summary>
/// struct fuse_operations of libfuse 3.14 (42 function pointers, 336 bytes), in declaration order. Only
/// getattr, open, read, release, readdir, init and access are set; a null pointer means ENOSYS, and the
/// mount is read-only, so no write operation is ever reached.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseOperations
{
    public delegate* unmanaged<byte*, FuseStat*, FuseFileInfo*, int> Getattr;
    public nint Readlink, Mknod, Mkdir, Unlink, Rmdir, Symlink, Rename, Link, Chmod, Chown, Truncate;
    public delegate* unmanaged<byte*, FuseFileInfo*, int> Open;
    public delegate* unmanaged<byte*, byte*, nuint, long, FuseFileInfo*, int> Read;
    public nint Write, Statfs, Flush;
    public delegate* unmanaged<byte*, FuseFileInfo*, int> Release;
    public nint Fsync, Setxattr, Getxattr, Listxattr, Removexattr, Opendir;
    public delegate* unmanaged<byte*, nint, delegate* unmanaged<nint, byte*, FuseStat*, long, int, int>, long, FuseFileInfo*, int, int> Readdir;
    public nint Releasedir, Fsyncdir;
    public delegate* unmanaged<nint, FuseConfig*, nint> Init;
    public nint DestroyOp;
    public delegate* unmanaged<byte*, int, int> Access;
    public nint Create, Lock, Utimens, Bmap, Ioctl, Poll, WriteBuf, ReadBuf, Flock, Fallocate, CopyFileRange, Lseek;
}
