using System.Runtime.InteropServices;
using System.Text;
using Checkpointable.Interop;

namespace Checkpointable.Mount;

/// <summary>
/// Serves a <see cref="MountFileSystem"/> through libfuse3's high-level API: [UnmanagedCallersOnly] callbacks
/// (so that it works in the Native AOT binary) translate each request and its caller, from the FUSE context, into
/// a managed call. The loop is multi-threaded (up to <see cref="MaxThreads"/>: a judgement may itself stat a
/// reader's open file on this mount, which another worker must answer). One mount per process.
/// </summary>
public static unsafe class FuseHost
{
    private const int MaxThreads = 64;
    private const int EIO = 5;

    private static MountFileSystem? s_fs;
    private static string? s_mountPoint;
    private static volatile bool s_stopRequested;

    /// <summary>
    /// Mounts on <paramref name="mountPoint"/> (an absolute, checked path) and serves until unmounted: by
    /// <see cref="RequestStop"/> (SIGINT/SIGTERM) or `fusermount3 -u`. <paramref name="onMounted"/> runs once the
    /// mount is in place. Returns when the mount is gone.
    /// </summary>
    public static void Run(MountFileSystem fs, string mountPoint, bool allowOther, Action onMounted)
    {
        if (Interlocked.CompareExchange(ref s_fs, fs, null) is not null)
        {
            throw new InvalidOperationException("one FUSE mount per process");
        }

        s_mountPoint = mountPoint;
        var ops = (FuseOperations*)NativeMemory.AllocZeroed((nuint)sizeof(FuseOperations));
        ops->Getattr = &GetAttr;
        ops->Open = &Open;
        ops->Read = &Read;
        ops->Release = &Release;
        ops->Readdir = &ReadDir;
        ops->Init = &Init;

        string options = "ro,fsname=checkpointable,subtype=checkpointable" + (allowOther ? ",allow_other" : string.Empty);
        string[] argv = ["checkpointable", "-o", options];
        var strings = argv.Select(a => (nint)Utf8(a)).ToArray();
        var argvPtr = (byte**)NativeMemory.Alloc((nuint)(argv.Length + 1), (nuint)sizeof(nint));
        for (int i = 0; i < argv.Length; i++)
        {
            argvPtr[i] = (byte*)strings[i];
        }

        argvPtr[argv.Length] = null;
        var args = new FuseArgs { Argc = argv.Length, Argv = argvPtr, Allocated = 0 };
        nint fuse = 0;
        try
        {
            fuse = Fuse.New(&args, ops, (nuint)sizeof(FuseOperations), 0);
            if (fuse == 0)
            {
                throw new MountException("libfuse could not set up the file system (fuse_new failed; its message is above)");
            }

            if (Fuse.Mount(fuse, mountPoint) != 0)
            {
                throw new MountException($"cannot mount on {mountPoint} (fuse_mount failed; its message is above)");
            }

            onMounted();
            nint config = Fuse.LoopConfigCreate();
            Fuse.LoopConfigSetMaxThreads(config, MaxThreads);
            Fuse.LoopMt(fuse, config);
            Fuse.LoopConfigDestroy(config);
            Fuse.Unmount(fuse);
        }
        finally
        {
            if (fuse != 0)
            {
                Fuse.Destroy(fuse);
            }

            Fuse.FreeArgs(&args);
            foreach (var s in strings)
            {
                NativeMemory.Free((void*)s);
            }

            NativeMemory.Free(argvPtr);
            NativeMemory.Free(ops);
            s_fs = null;
        }
    }

    /// <summary>
    /// Unmounts (lazily, so an open file does not make it fail); the loop then ends once no file of the mount is
    /// open. Safe from a signal handler thread: it touches no libfuse state.
    /// </summary>
    public static void RequestStop()
    {
        s_stopRequested = true;
        if (s_mountPoint is { } dir)
        {
            Fuse.Umount2(dir, Fuse.MNT_DETACH);
        }
    }

    public static bool StopRequested => s_stopRequested;

    private static byte* Utf8(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        var p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    private static Caller CurrentCaller()
    {
        var ctx = Fuse.GetContext();
        return ctx is null ? new Caller(0, 0, 0) : new Caller(ctx->Uid, ctx->Gid, ctx->Pid);
    }

    /// <summary>
    /// Runs a callback's body with thread cancellation off (libfuse cancels its idle workers when the loop ends;
    /// a cancellation inside managed code would unwind through frames the runtime cannot unwind) and with any
    /// exception turned into EIO instead of a crash.
    /// </summary>
    private static int Guarded<TState>(TState state, delegate*<TState, int> body)
    {
        int old;
        Fuse.SetCancelState(Fuse.PTHREAD_CANCEL_DISABLE, &old);
        try
        {
            return body(state);
        }
        catch (Exception e)
        {
            s_fs?.Log($"internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            return -EIO;
        }
        finally
        {
            Fuse.SetCancelState(old, null);
        }
    }

    [UnmanagedCallersOnly]
    private static nint Init(nint conn, FuseConfig* cfg)
    {
        // Never cache: a lookup after a process exits must be ENOENT, and every open must judge afresh. Files
        // are served with direct_io (size 0 in stat, read to EOF, as /proc files are).
        cfg->EntryTimeout = 0;
        cfg->NegativeTimeout = 0;
        cfg->AttrTimeout = 0;
        cfg->DirectIo = 1;
        cfg->KernelCache = 0;
        cfg->AutoCache = 0;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int GetAttr(byte* path, FuseStat* st, FuseFileInfo* fi) =>
        Guarded((Path: (nint)path, St: (nint)st, Fi: (nint)fi), &GetAttrBody);

    private static int GetAttrBody((nint Path, nint St, nint Fi) a)
    {
        var fi = (FuseFileInfo*)a.Fi;
        int rc = s_fs!.GetAttr(PathOf(a.Path), CurrentCaller(), fi is null ? null : fi->Fh, out bool isDirectory);
        if (rc != 0)
        {
            return rc;
        }

        var st = (FuseStat*)a.St;
        *st = default;
        st->Mode = isDirectory ? Fuse.S_IFDIR | 0x16D /* 0555 */ : Fuse.S_IFREG | 0x124 /* 0444 */;
        st->Nlink = isDirectory ? 2u : 1u;
        st->Blksize = 4096;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        st->AtimeSec = st->MtimeSec = st->CtimeSec = now;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int ReadDir(byte* path, nint buf, delegate* unmanaged<nint, byte*, FuseStat*, long, int, int> filler, long offset, FuseFileInfo* fi, int flags) =>
        Guarded((Path: (nint)path, Buf: buf, Filler: (nint)filler), &ReadDirBody);

    private static int ReadDirBody((nint Path, nint Buf, nint Filler) a)
    {
        var names = new List<string>();
        int rc = s_fs!.ReadDir(PathOf(a.Path), CurrentCaller(), names);
        if (rc != 0)
        {
            return rc;
        }

        var filler = (delegate* unmanaged<nint, byte*, FuseStat*, long, int, int>)a.Filler;
        Span<byte> name = stackalloc byte[64];
        foreach (var n in names.Prepend("..").Prepend("."))
        {
            int len = Encoding.UTF8.GetBytes(n, name[..^1]);
            name[len] = 0;
            fixed (byte* p = name)
            {
                if (filler(a.Buf, p, null, 0, 0) != 0)
                {
                    break;
                }
            }
        }

        return 0;
    }

    [UnmanagedCallersOnly]
    private static int Open(byte* path, FuseFileInfo* fi) => Guarded((Path: (nint)path, Fi: (nint)fi), &OpenBody);

    private static int OpenBody((nint Path, nint Fi) a)
    {
        var fi = (FuseFileInfo*)a.Fi;
        bool forWriting = (fi->Flags & Fuse.O_ACCMODE) != 0;
        int rc = s_fs!.OpenFile(PathOf(a.Path), CurrentCaller(), forWriting, out ulong handle);
        if (rc == 0)
        {
            fi->Fh = handle;
            fi->Bits |= FuseFileInfo.DirectIo;
        }

        return rc;
    }

    [UnmanagedCallersOnly]
    private static int Read(byte* path, byte* buf, nuint size, long offset, FuseFileInfo* fi) =>
        Guarded((Buf: (nint)buf, Size: (int)Math.Min(size, int.MaxValue), Offset: offset, Fh: fi->Fh), &ReadBody);

    private static int ReadBody((nint Buf, int Size, long Offset, ulong Fh) a) =>
        s_fs!.Read(a.Fh, new Span<byte>((void*)a.Buf, a.Size), a.Offset);

    [UnmanagedCallersOnly]
    private static int Release(byte* path, FuseFileInfo* fi) => Guarded(fi->Fh, &ReleaseBody);

    private static int ReleaseBody(ulong fh)
    {
        s_fs!.Release(fh);
        return 0;
    }

    private static string PathOf(nint path) => Marshal.PtrToStringUTF8(path) ?? "/";
}
