using System.Text;
using Checkpointable.Mount;
using Checkpointable.Predict;
using Checkpointable.Tests.Live;
using Xunit;

namespace Checkpointable.Tests.Mount;

/// <summary>The mount's operations called directly (no FUSE) on live subjects: errno contract and per-open content.</summary>
public sealed class MountFileSystemTests
{
    private const int ENOENT = 2, EBADF = 9, EACCES = 13, EISDIR = 21, ENOTDIR = 20;
    private static readonly Caller Root = new(0, 0, 1);
    private static readonly Caller Nobody = new(65534, 65534, 1);

    private static MountFileSystem NewFs() => new(new MountContent(Predictor.Options(["--no-default-config"]), ["--no-default-config"]));

    private static string ReadAll(MountFileSystem fs, ulong fh, int chunk)
    {
        var all = new List<byte>();
        var buffer = new byte[chunk];
        int n;
        while ((n = fs.Read(fh, buffer, all.Count)) > 0)
        {
            all.AddRange(buffer[..n]);
        }

        Assert.Equal(0, n);
        return Encoding.UTF8.GetString(all.ToArray());
    }

    [Fact]
    public void OpenJudgesOnceAndReleaseFrees()
    {
        using var s = Subject.Start("flock");
        var fs = NewFs();
        Assert.Equal(0, fs.OpenFile($"/{s.RootPid}/fdinfo/3", Root, forWriting: false, out ulong fh));
        Assert.Equal(1, fs.Handles.Count);
        string whole = ReadAll(fs, fh, 4096);
        Assert.Equal(whole, ReadAll(fs, fh, 7)); // any chunking gives the same text: one judgement per open
        Assert.Contains("lock:\t1: FLOCK", whole, StringComparison.Ordinal);
        Assert.EndsWith("[L1; lift: --file-locks]\n", whole, StringComparison.Ordinal);
        Assert.Equal(0, fs.Read(fh, new byte[10], 1_000_000));
        fs.Release(fh);
        Assert.Equal(0, fs.Handles.Count);
        Assert.Equal(-EBADF, fs.Read(fh, new byte[10], 0));
    }

    [Fact]
    public void OpenFileOutlivesItsProcessLookupDoesNot()
    {
        var s = Subject.Start("sleep");
        var fs = NewFs();
        string path = $"/{s.RootPid}/checkpointable";
        Assert.Equal(0, fs.GetAttr(path, Root, null, out _));
        Assert.Equal(0, fs.OpenFile(path, Root, false, out ulong fh));
        s.Dispose();
        Assert.Equal(-ENOENT, fs.GetAttr(path, Root, null, out _));
        Assert.Equal(-ENOENT, fs.GetAttr($"/{s.RootPid}", Root, null, out _));
        Assert.Equal(0, fs.GetAttr(path, Root, fh, out _)); // fstat of the open file
        Assert.Matches(@"^(\w+: [01]\n){9}$", ReadAll(fs, fh, 100));
        Assert.Equal(-ENOENT, fs.OpenFile(path, Root, false, out _));
        fs.Release(fh);
        Assert.Equal(0, fs.Handles.Count);
    }

    [Fact]
    public void ErrnoContract()
    {
        using var s = Subject.Start("sleep");
        var fs = NewFs();
        string pid = s.RootPid.ToString();
        Assert.Equal(-EACCES, fs.OpenFile($"/{pid}/checkpointable", Root, forWriting: true, out _));
        Assert.Equal(-EISDIR, fs.OpenFile($"/{pid}/fdinfo", Root, false, out _));
        Assert.Equal(-ENOENT, fs.OpenFile($"/{pid}/fdinfo/77", Root, false, out _));
        Assert.Equal(-ENOENT, fs.OpenFile("/nothing", Root, false, out _));
        Assert.Equal(-ENOTDIR, fs.ReadDir($"/{pid}/reasons", Root, []));
        Assert.Equal(-ENOENT, fs.ReadDir("/999999999", Root, []));
        Assert.Equal(0, fs.Handles.Count);

        Assert.Equal(0, fs.GetAttr($"/{pid}/fdinfo", Root, null, out bool dir));
        Assert.True(dir);
        Assert.Equal(0, fs.GetAttr($"/{pid}/reasons", Root, null, out dir));
        Assert.False(dir);
    }

    [SkippableFact]
    public void ListingsAndVisibility()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root: the subject must belong to another user than nobody");
        using var s = Subject.Start("flock");
        var fs = NewFs();
        string pid = s.RootPid.ToString();
        var top = new List<string>();
        Assert.Equal(0, fs.ReadDir("/", Root, top));
        Assert.Equal("checkpointable", top[0]);
        Assert.Contains(pid, top);
        var entries = new List<string>();
        Assert.Equal(0, fs.ReadDir($"/{pid}", Root, entries));
        Assert.Equal(["checkpointable", "reasons", "checkpointable.json", "fdinfo"], entries);
        var fds = new List<string>();
        Assert.Equal(0, fs.ReadDir($"/{pid}/fdinfo", Root, fds));
        Assert.Equal(["0", "1", "2", "3"], fds);

        // A subject runs as root: nobody may not read its /proc/PID/fd, so it does not exist for nobody.
        var nobodyTop = new List<string>();
        Assert.Equal(0, fs.ReadDir("/", Nobody, nobodyTop));
        Assert.DoesNotContain(pid, nobodyTop);
        Assert.Equal(-ENOENT, fs.GetAttr($"/{pid}", Nobody, null, out _));
        Assert.Equal(-ENOENT, fs.OpenFile($"/{pid}/checkpointable", Nobody, false, out _));
        Assert.Equal(0, fs.GetAttr("/checkpointable", Nobody, null, out _));
    }
}
