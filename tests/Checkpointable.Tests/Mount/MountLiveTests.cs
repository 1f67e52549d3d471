using System.Text.RegularExpressions;
using Checkpointable.Tests.Cli;
using Checkpointable.Tests.Live;
using Xunit;

namespace Checkpointable.Tests.Mount;

/// <summary>
/// A real FUSE mount (the CLI binary, as root) read with cat, grep, tail, wc and less, compared byte for byte with
/// what the CLI prints for the same live subject.
/// </summary>
public sealed class MountLiveTests
{
    private static string Cat(string path)
    {
        var r = MountedFileSystem.Run("cat", path);
        Assert.True(r.ExitCode == 0, $"cat {path}: {r.Stderr}");
        return r.Stdout;
    }

    [SkippableTheory]
    [InlineData("sleep")]
    [InlineData("flock")]
    [InlineData("tcp-established-external")]
    [InlineData("unix-stream-external")]
    public void SeedFileOfOneProcessIsTheCliBlock(string factory)
    {
        using var s = Subject.Start(factory);
        using var m = new MountedFileSystem();
        string file = Cat(m.PathOf(s.RootPid.ToString(), "checkpointable"));
        var cli = CliRunner.Run("-t", s.RootPid.ToString());
        var blocks = CliText.Blocks(cli.Stdout);
        Assert.Single(blocks);
        Assert.Equal(string.Join('\n', blocks[s.RootPid]) + "\n", file);
        Assert.Equal(cli.ExitCode == 0, !file.Contains(": 0\n", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void SeedFileOfATreeHasTheBlockersOfEveryProcess()
    {
        using var s = Subject.Start("ptraced-child"); // the child is traced (T4): task 0 in the child's block only
        using var m = new MountedFileSystem();
        string file = Cat(m.PathOf(s.RootPid.ToString(), "checkpointable"));
        var blocks = CliText.Blocks(CliRunner.Run("-t", s.RootPid.ToString()).Stdout);
        Assert.Equal(2, blocks.Count);
        Assert.Equal(CliText.TreeFile(blocks), file);
        Assert.Contains("task: 0\n", file, StringComparison.Ordinal);
        Assert.Contains("task: 1", blocks[s.RootPid]);
    }

    [SkippableTheory]
    [InlineData("flock")]
    [InlineData("tcp-established-external")]
    [InlineData("tree")]
    public void GrepOfFdInfoIsTheCliFdInfo(string factory)
    {
        using var s = Subject.Start(factory);
        using var m = new MountedFileSystem();
        string pid = s.RootPid.ToString();
        var grep = MountedFileSystem.Run("sh", "-c", $"grep . {m.PathOf(pid, "fdinfo")}/*");
        Assert.Equal(0, grep.ExitCode);
        var cli = CliRunner.Run("fdinfo", pid);
        string expected = string.Concat(cli.Stdout.Split('\n')
            .Where(l => l.StartsWith($"/proc/{pid}/fdinfo/", StringComparison.Ordinal))
            .Select(l => l.Replace($"/proc/{pid}/fdinfo/", m.PathOf(pid, "fdinfo") + "/", StringComparison.Ordinal) + "\n")
            .Order(StringComparer.Ordinal));
        string got = string.Concat(grep.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l + "\n").Order(StringComparer.Ordinal));
        Assert.NotEmpty(expected);
        Assert.Equal(expected, got);
        if (factory == "flock")
        {
            Assert.Matches(@"fdinfo/3:checkpointable: 0 \(.*FLOCK", grep.Stdout);
        }
    }

    [SkippableTheory]
    [InlineData("flock")]
    [InlineData("sleep")]
    [InlineData("ptraced-child")]
    public void ReasonsAndJsonAreTheCli(string factory)
    {
        using var s = Subject.Start(factory);
        using var m = new MountedFileSystem();
        string pid = s.RootPid.ToString();
        string reasons = Cat(m.PathOf(pid, "reasons"));
        Assert.Equal(CliText.Reasons(CliRunner.Run("-t", pid).Stdout, s.RootPid), reasons);
        Assert.Equal(factory == "sleep", reasons.Length == 0);
        if (factory == "flock")
        {
            Assert.Matches(@"^fd 3: checkpointable: 0 \(.*\) \[L1; lift: --file-locks\]\n$", reasons);
        }

        static string WithoutTime(string json) => Regex.Replace(json, "\"takenAt\": \"[^\"]*\"", "\"takenAt\": \"\"");
        string json = Cat(m.PathOf(pid, "checkpointable.json"));
        Assert.Equal(WithoutTime(CliRunner.Run("-t", pid, "--json").Stdout), WithoutTime(json));
    }

    [SkippableFact]
    public void CriuOptionsOfTheMountApply()
    {
        using var s = Subject.Start("flock");
        using var plain = new MountedFileSystem();
        using var withLocks = new MountedFileSystem("--file-locks");
        string pid = s.RootPid.ToString();
        Assert.Contains("locks: 0", Cat(plain.PathOf(pid, "checkpointable")), StringComparison.Ordinal);
        string lifted = Cat(withLocks.PathOf(pid, "checkpointable"));
        Assert.Equal(CliText.Blocks(CliRunner.Run("-t", pid, "--file-locks").Stdout)[s.RootPid].Append("").Aggregate((a, b) => a + "\n" + b), lifted);
        Assert.Contains("locks: 1", lifted, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void HostTableHasTheCliRowOfTheSubject()
    {
        using var s = Subject.Start("flock");
        using var m = new MountedFileSystem();
        string table = Cat(m.PathOf("checkpointable"));
        string Row(string text) => text.Split('\n').Single(l => l.TrimStart().StartsWith(s.RootPid + " ", StringComparison.Ordinal));
        Assert.StartsWith("    PID VERDICT  BLOCKERS COMMAND", table, StringComparison.Ordinal);
        Assert.Equal(Row(CliRunner.Run().Stdout), Row(table));
        Assert.Contains(" options ", Row(table), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void UsualToolsReadWholeFiles()
    {
        using var s = Subject.Start("flock");
        using var m = new MountedFileSystem();
        string file = m.PathOf(s.RootPid.ToString(), "fdinfo", "3");
        string text = Cat(file);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length >= 5, text);
        Assert.Equal(string.Join('\n', lines[^2..]) + "\n", MountedFileSystem.Run("tail", "-n", "2", file).Stdout);
        Assert.Equal($"{System.Text.Encoding.UTF8.GetByteCount(text)}\n", MountedFileSystem.Run("sh", "-c", $"wc -c < {file}").Stdout);
        Assert.Equal(text, MountedFileSystem.Run("less", file).Stdout);
        Assert.Equal(lines[0] + "\n", MountedFileSystem.Run("head", "-n", "1", file).Stdout);
        Assert.Equal(0, new FileInfo(file).Length); // direct_io: size 0 as in /proc; readers read to EOF
    }

    [SkippableFact]
    public void ListingsComeFromProcNow()
    {
        using var s = Subject.Start("flock");
        using var m = new MountedFileSystem();
        string pid = s.RootPid.ToString();
        var top = Directory.GetFileSystemEntries(m.Dir).Select(Path.GetFileName).ToList();
        Assert.Contains("checkpointable", top);
        Assert.Contains(pid, top);
        Assert.Contains(s.LauncherPid.ToString(), top);
        Assert.Equal(["checkpointable", "checkpointable.json", "fdinfo", "reasons"], Directory.GetFileSystemEntries(m.PathOf(pid)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var fds = Directory.GetFiles(m.PathOf(pid, "fdinfo")).Select(f => int.Parse(Path.GetFileName(f))).Order();
        Assert.Equal(Directory.GetFiles($"/proc/{pid}/fd").Select(f => int.Parse(Path.GetFileName(f))).Order(), fds);
        Assert.False(Directory.Exists(m.PathOf("999999999")));
        Assert.False(File.Exists(m.PathOf(pid, "fdinfo", "999")));
        Assert.False(File.Exists(m.PathOf(pid, "nothing")));
        int thread = Directory.GetDirectories("/proc/self/task").Select(t => int.Parse(Path.GetFileName(t))).First(t => t != Environment.ProcessId);
        Assert.False(Directory.Exists(m.PathOf(thread.ToString()))); // a thread id is not a process
    }

    [SkippableFact]
    public void ExitedProcessServesOpenFilesThenIsGone()
    {
        var s = Subject.Start("flock");
        using var m = new MountedFileSystem();
        string pid = s.RootPid.ToString();
        string seed = m.PathOf(pid, "checkpointable");
        string fd3 = m.PathOf(pid, "fdinfo", "3");
        Assert.True(File.Exists(seed));
        using var open = new FileStream(seed, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        using var openFd = new FileStream(fd3, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        s.Dispose();
        Assert.False(Directory.Exists($"/proc/{pid}"));

        string served = new StreamReader(open).ReadToEnd();
        Assert.Matches(@"^(\w+: [01]\n){9}$", served);
        Assert.Contains("locks: 0", served, StringComparison.Ordinal);
        Assert.Contains("FLOCK", new StreamReader(openFd).ReadToEnd(), StringComparison.Ordinal);

        Assert.False(File.Exists(seed));
        Assert.False(Directory.Exists(m.PathOf(pid)));
        var e = Record.Exception(() => File.ReadAllText(seed));
        Assert.True(e is FileNotFoundException or DirectoryNotFoundException, $"ENOENT expected, got {e}");
        var cat = MountedFileSystem.Run("cat", seed);
        Assert.Contains("No such file or directory", cat.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void NothingIsWritable()
    {
        using var s = Subject.Start("sleep");
        using var m = new MountedFileSystem();
        string seed = m.PathOf(s.RootPid.ToString(), "checkpointable");
        var write = MountedFileSystem.Run("sh", "-c", $"echo 1 > {seed}");
        Assert.NotEqual(0, write.ExitCode);
        Assert.Contains("Read-only file system", write.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, MountedFileSystem.Run("mkdir", m.PathOf("new")).ExitCode);
        Assert.NotEqual(0, MountedFileSystem.Run("rm", "-f", seed).ExitCode);
        Assert.True(File.Exists(seed));
    }
}
