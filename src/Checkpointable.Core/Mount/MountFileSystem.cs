using System.Text;

namespace Checkpointable.Mount;

/// <summary>
/// The mount's operations in managed terms, free of FUSE so that they can be tested directly: each returns 0
/// or a negative errno as FUSE expects. Hidden and vanished processes are ENOENT; nothing is writable.
/// </summary>
public sealed class MountFileSystem(MountContent content)
{
    private const int ENOENT = 2;
    private const int EIO = 5;
    private const int EBADF = 9;
    private const int EACCES = 13;
    private const int EISDIR = 21;

    public OpenFiles Handles { get; } = new();

    /// <summary>Where unexpected failures are reported (the daemon's stderr); they become EIO for the reader.</summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>Resolves a path for a caller: NotFound unless it exists now and the caller may see it.</summary>
    public MountNode Lookup(string path, Caller caller)
    {
        var node = MountPath.Resolve(path);
        if (node.Kind is NodeKind.NotFound or NodeKind.Root or NodeKind.HostTable)
        {
            return node;
        }

        if (!ProcessDirectory.IsVisible(node.Pid, caller))
        {
            return MountNode.NotFound;
        }

        return node.Kind == NodeKind.FdInfoFile && !ProcessDirectory.HasDescriptor(node.Pid, node.Fd)
            ? MountNode.NotFound
            : node;
    }

    /// <summary>stat: 0 and whether it is a directory. Files report size 0 and are served with direct_io, as /proc does.</summary>
    public int GetAttr(string path, Caller caller, ulong? openHandle, out bool isDirectory)
    {
        isDirectory = false;
        if (openHandle is { } fh && Handles.TryGet(fh, out _))
        {
            return 0; // fstat of an open file: it stays valid after its process exits
        }

        var node = Lookup(path, caller);
        isDirectory = node.IsDirectory;
        return node.Kind == NodeKind.NotFound ? -ENOENT : 0;
    }

    /// <summary>The entries of a directory (without "." and ".."), listed from /proc now.</summary>
    public int ReadDir(string path, Caller caller, List<string> names)
    {
        var node = Lookup(path, caller);
        switch (node.Kind)
        {
            case NodeKind.Root:
                names.Add(MountPath.CheckpointableFile);
                names.AddRange(ProcessDirectory.VisibleProcesses(caller).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                return 0;
            case NodeKind.ProcessDir:
                names.AddRange(MountPath.ProcessEntries);
                return 0;
            case NodeKind.FdInfoDir:
                names.AddRange(ProcessDirectory.Descriptors(node.Pid).Select(f => f.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                return 0;
            case NodeKind.NotFound:
                return -ENOENT;
            default:
                return -20; // ENOTDIR
        }
    }

    /// <summary>open: judges now, keeps the text for this open file, returns its handle.</summary>
    public int OpenFile(string path, Caller caller, bool forWriting, out ulong handle)
    {
        handle = 0;
        var node = Lookup(path, caller);
        if (node.Kind == NodeKind.NotFound)
        {
            return -ENOENT;
        }

        if (node.IsDirectory)
        {
            return -EISDIR;
        }

        if (forWriting)
        {
            return -EACCES;
        }

        string? text;
        try
        {
            text = content.Render(node, caller);
        }
        catch (Exception e)
        {
            Log($"{path}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            return -EIO;
        }

        if (text is null)
        {
            return -ENOENT;
        }

        handle = Handles.Add(Encoding.UTF8.GetBytes(text));
        return 0;
    }

    /// <summary>read: bytes of the open file's text from <paramref name="offset"/>; 0 at the end.</summary>
    public int Read(ulong handle, Span<byte> into, long offset)
    {
        if (!Handles.TryGet(handle, out var bytes))
        {
            return -EBADF;
        }

        if (offset < 0 || offset >= bytes.Length)
        {
            return 0;
        }

        int n = (int)Math.Min(into.Length, bytes.Length - offset);
        bytes.AsSpan((int)offset, n).CopyTo(into);
        return n;
    }

    public void Release(ulong handle) => Handles.Remove(handle);
}
