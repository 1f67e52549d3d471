using System.Collections.Concurrent;
using System.Text.Json;
using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Mount;

/// <summary>
/// The FUSE mount abused: malformed and hostile paths (ENOENT, never EIO), every kind of write (EROFS or EACCES), a slow
/// reader beside fast ones, 32 readers of one file at once; the daemon survives all of it with bounded memory.
/// </summary>
public sealed class MountAbuseTests(ITestOutputHelper output)
{
    private static readonly string[] Malformed =
    [
        "abc", "-1", "0", "99999999999", "4194305", "01", "+1", " 1", "1 ", new string('7', 255), new string('a', 255),
        "{pid}/fdinfo/x", "{pid}/fdinfo/-1", "{pid}/fdinfo/999999", "{pid}/fdinfo/01", "{pid}/fdinfo/99999999999",
        "{pid}/nonexistent", "{pid}/" + new string('a', 255), "{pid}/fdinfo/" + new string('9', 255), "99999999/checkpointable",
        "99999999/fdinfo/0",
    ];

    /// <summary>Paths through a regular file: the kernel answers ENOTDIR itself (also never EIO).</summary>
    private static readonly string[] UnderAFile = ["{pid}/fdinfo/3/x", "{pid}/checkpointable/x", "{pid}/reasons/..", "checkpointable/x"];

    /// <summary>Each attempt to change something, as a shell command on {dir}/{pid}.</summary>
    private static readonly string[] Writes =
    [
        "echo x > {dir}/{pid}/checkpointable", "echo x >> {dir}/{pid}/reasons", "echo x > {dir}/new", "echo x > {dir}/{pid}/new",
        "mkdir {dir}/new", "mkdir {dir}/{pid}/fdinfo/new", "rm {dir}/{pid}/checkpointable", "rm {dir}/checkpointable", "rmdir {dir}/{pid}",
        "rm -r {dir}/{pid}/fdinfo", "chmod 777 {dir}/{pid}/checkpointable", "chmod 777 {dir}/{pid}", "truncate -s 0 {dir}/{pid}/checkpointable",
        "touch {dir}/{pid}/checkpointable", "touch {dir}/{pid}/new", "ln -s /etc/passwd {dir}/link", "ln {dir}/{pid}/reasons {dir}/hard",
        "mv {dir}/{pid}/reasons {dir}/{pid}/moved", "chown nobody {dir}/{pid}/reasons", "mknod {dir}/fifo p",
        "exec 3<> {dir}/{pid}/checkpointable",
    ];

    [SkippableFact]
    public void MalformedPathsAreENOENTAndWritesAreRefused()
    {
        using var s = Subject.Start("flock");
        using var m = new MountedFileSystem();
        string pid = s.RootPid.ToString();
        var failures = new List<string>();
        foreach (string rel in Malformed.Concat(UnderAFile))
        {
            string path = m.PathOf(rel.Replace("{pid}", pid, StringComparison.Ordinal));
            string error = UnderAFile.Contains(rel) ? "Not a directory" : "No such file or directory";
            foreach (string tool in (string[])["cat", "stat", "ls"])
            {
                var r = MountedFileSystem.Run(tool, path);
                if (r.ExitCode == 0 || !r.Stderr.Contains(error, StringComparison.Ordinal))
                {
                    failures.Add($"{tool} {rel}: exit {r.ExitCode}, {r.Stderr.Trim()}");
                }
            }
        }

        foreach (string write in Writes)
        {
            string command = write.Replace("{dir}", m.Dir, StringComparison.Ordinal).Replace("{pid}", pid, StringComparison.Ordinal);
            var r = MountedFileSystem.Run("sh", "-c", command);
            if (r.ExitCode == 0 || !(r.Stderr.Contains("Read-only file system", StringComparison.Ordinal) || r.Stderr.Contains("Permission denied", StringComparison.Ordinal)))
            {
                failures.Add($"{write}: exit {r.ExitCode}, {r.Stderr.Trim()}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.False(m.Process.HasExited, $"the daemon exited: {m.Stderr}");
        Assert.Contains("locks: 0\n", File.ReadAllText(m.PathOf(pid, "checkpointable")), StringComparison.Ordinal);
        Assert.Equal(["checkpointable", "checkpointable.json", "fdinfo", "reasons"], Directory.EnumerateFileSystemEntries(m.PathOf(pid)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task ASlowReaderDoesNotBlockOtherReaders()
    {
        using var s = Subject.Start("flock");
        using var m = new MountedFileSystem();
        string pid = s.RootPid.ToString();
        string json = m.PathOf(pid, "checkpointable.json");
        using var others = new CancellationTokenSource();
        int slowBytes = 0;
        bool slowReachedEnd = false;
        var slow = Task.Run(() =>
        {
            // One byte every 100 ms until the other readers are done (bounded): the file is kilobytes, so it outlasts them.
            using var f = new FileStream(json, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            var deadline = DateTime.UtcNow.AddSeconds(180);
            while (!others.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                if (f.ReadByte() < 0)
                {
                    slowReachedEnd = true;
                    return;
                }

                slowBytes++;
                Thread.Sleep(100);
            }
        });
        Thread.Sleep(300); // the slow reader has its file open

        var results = new ConcurrentBag<string>();
        var readers = new[] { json, m.PathOf(pid, "checkpointable"), m.PathOf(pid, "reasons"), m.PathOf(pid, "fdinfo", "3") }
            .Select(path => Task.Run(() => results.Add(MountedFileSystem.Run("cat", path) is { ExitCode: 0 } r && r.Stdout.Length > 0 ? "ok" : $"{path} failed")))
            .ToArray();
        bool done = await Bounded(Task.WhenAll(readers), TimeSpan.FromSeconds(120));
        bool slowStillReading = !slow.IsCompleted;
        others.Cancel();
        Assert.True(await Bounded(slow, TimeSpan.FromSeconds(60)), "the slow reader never finished");
        output.WriteLine($"slow reader had read {slowBytes} bytes when the others finished");
        Assert.True(done, "other readers did not finish beside a slow reader within 120 s");
        Assert.All(results, r => Assert.Equal("ok", r));
        Assert.True(slowStillReading && !slowReachedEnd, "the slow reader was not reading while the others ran: the test proved nothing");
        Assert.False(m.Process.HasExited, m.Stderr);
    }

    private static async Task<bool> Bounded(Task task, TimeSpan bound)
    {
        try
        {
            await task.WaitAsync(bound);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    [SkippableFact]
    public void ThirtyTwoConcurrentReadersOfOneFileAllGetItAndMemoryStaysBounded()
    {
        using var s = Subject.Start("sleep");
        using var m = new MountedFileSystem();
        string pid = s.RootPid.ToString();
        string file = m.PathOf(pid, "checkpointable.json");
        string expectedVerdict = JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("verdict").GetString()!;
        long rssBefore = m.RssKiB();
        var errors = new ConcurrentQueue<string>();
        for (int round = 0; round < 5; round++)
        {
            Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 32 }, _ =>
            {
                try
                {
                    using var doc = JsonDocument.Parse(File.ReadAllText(file));
                    string? verdict = doc.RootElement.GetProperty("verdict").GetString();
                    if (verdict != expectedVerdict)
                    {
                        errors.Enqueue($"verdict {verdict}, expected {expectedVerdict}");
                    }
                }
                catch (Exception e) when (e is IOException or JsonException)
                {
                    errors.Enqueue($"{e.GetType().Name}: {e.Message}");
                }
            });
        }

        long rssAfter = m.RssKiB();
        output.WriteLine($"VmRSS {rssBefore} KiB before, {rssAfter} KiB after 160 concurrent reads");
        Assert.True(errors.IsEmpty, string.Join("\n", errors.Take(5)));
        Assert.Equal("checkpointable", expectedVerdict);
        Assert.True(rssAfter < (3 * rssBefore) + (100 * 1024), $"VmRSS grew from {rssBefore} KiB to {rssAfter} KiB");
        Assert.Equal(0, MountedFileSystem.Run("cat", m.PathOf(pid, "checkpointable")).ExitCode);
    }
}
