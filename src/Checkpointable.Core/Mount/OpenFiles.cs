using System.Collections.Concurrent;

namespace Checkpointable.Mount;

/// <summary>
/// The content of every open file, by FUSE file handle: computed once at open, served to every read of that
/// open file (so a reader sees one consistent text even if the process exits), freed at release.
/// </summary>
public sealed class OpenFiles
{
    private readonly ConcurrentDictionary<ulong, byte[]> _files = new();
    private long _next;

    /// <summary>How many files are open now (a leak shows as a count that never returns to 0).</summary>
    public int Count => _files.Count;

    public ulong Add(byte[] content)
    {
        ulong fh = (ulong)Interlocked.Increment(ref _next);
        _files[fh] = content;
        return fh;
    }

    public bool TryGet(ulong fh, out byte[] content) => _files.TryGetValue(fh, out content!);

    public void Remove(ulong fh) => _files.TryRemove(fh, out _);
}
