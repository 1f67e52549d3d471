using System.Text.RegularExpressions;
using Checkpointable.Tests.Cli;
using Checkpointable.Tests.Live;
using Xunit;

namespace Checkpointable.Tests.Mount;

/// <summary>Mounting, unmounting (signals, fusermount3 -u), --daemon, stale mounts and a missing libfuse3.</summary>
public sealed class LifecycleTests
{
    private static void WaitUntil(Func<bool> condition, string what)
    {
        for (int i = 0; i < 600; i++)
        {
            if (condition())
            {
                return;
            }

            Thread.Sleep(50);
        }

        Assert.Fail($"not within 30 s: {what}");
    }

    [SkippableTheory]
    [InlineData(15)]
    [InlineData(2)]
    public void SignalUnmountsCleanly(int signal)
    {
        using var m = new MountedFileSystem();
        Assert.True(MountedFileSystem.IsMounted(m.Dir));
        Assert.Equal(0, SubjectNative.Kill(m.Process.Id, signal));
        Assert.True(m.Process.WaitForExit(30_000));
        Assert.Equal(0, m.Process.ExitCode);
        Assert.False(MountedFileSystem.IsMounted(m.Dir));
    }

    [SkippableFact]
    public void FusermountUnmountEndsTheMount()
    {
        using var m = new MountedFileSystem();
        Assert.Equal(0, MountedFileSystem.Run("fusermount3", "-u", m.Dir).ExitCode);
        Assert.True(m.Process.WaitForExit(30_000));
        Assert.Equal(0, m.Process.ExitCode);
        Assert.False(MountedFileSystem.IsMounted(m.Dir));
    }

    [SkippableFact]
    public void StaleMountIsReportedWithTheFix()
    {
        string dir;
        using (var m = new MountedFileSystem())
        {
            dir = m.Dir;
            m.Process.Kill(); // the daemon dies; the kernel keeps the mount, now without a server
            Assert.True(m.Process.WaitForExit(30_000));
            Assert.True(MountedFileSystem.IsMounted(dir));
            var again = CliRunner.Run("mount", dir);
            Assert.Equal(2, again.ExitCode);
            Assert.Equal($"checkpointable: {dir} is a stale checkpointable mount (the daemon died): run `fusermount3 -u {dir}`\n", again.Stderr);
            Assert.Equal(0, MountedFileSystem.Run("fusermount3", "-u", dir).ExitCode);
            Directory.CreateDirectory(dir);
        }

        Directory.CreateDirectory(dir);
        using var fixedMount = new MountedFileSystem(dir, []);
        Assert.True(File.Exists(fixedMount.PathOf("checkpointable")));
    }

    [SkippableFact]
    public void AMountIsNotMountedTwice()
    {
        using var m = new MountedFileSystem();
        var second = CliRunner.Run("mount", m.Dir);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains("is already a checkpointable mount", second.Stderr, StringComparison.Ordinal);
        Assert.False(m.Process.HasExited);
    }

    [Theory]
    [InlineData("/nonexistent-checkpointable-dir", "No such file or directory")]
    [InlineData("/etc/hostname", "not a directory")]
    public void BadDirectoryIsOneLineAndExit2(string dir, string reason)
    {
        var r = CliRunner.Run("mount", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"checkpointable: cannot mount on {dir}: {reason}\n", r.Stderr);
    }

    [Fact]
    public void BadCriuOptionFailsBeforeMounting()
    {
        string dir = Directory.CreateTempSubdirectory("checkpointable-mount-").FullName;
        try
        {
            var r = CliRunner.Run("mount", dir, "--ghost-limit", "lots");
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.Stderr.Trim().Split('\n'));
            Assert.False(MountedFileSystem.IsMounted(dir));
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [SkippableFact]
    public void DaemonDetachesAndStopsOnSigterm()
    {
        MountedFileSystem.SkipUnlessRoot();
        string dir = Directory.CreateTempSubdirectory("checkpointable-mount-").FullName;
        int daemon = 0;
        try
        {
            var r = CliRunner.Run("mount", dir, "--daemon");
            Assert.Equal(0, r.ExitCode);
            var m = Regex.Match(r.Stderr, @"^checkpointable: mounted on .* \(daemon pid (\d+)\)\n$");
            Assert.True(m.Success, r.Stderr);
            daemon = int.Parse(m.Groups[1].Value);
            Assert.True(MountedFileSystem.IsMounted(dir));
            Assert.Equal(daemon.ToString(), File.ReadAllText($"/proc/{daemon}/stat").Split(' ')[5]); // its own session
            Assert.StartsWith("    PID VERDICT", File.ReadAllText(Path.Combine(dir, "checkpointable")), StringComparison.Ordinal);

            Assert.Equal(0, SubjectNative.Kill(daemon, 15));
            WaitUntil(() => !Directory.Exists($"/proc/{daemon}"), "the daemon exits");
            Assert.False(MountedFileSystem.IsMounted(dir));
        }
        finally
        {
            if (daemon > 0 && Directory.Exists($"/proc/{daemon}"))
            {
                _ = SubjectNative.Kill(daemon, 9);
            }

            if (MountedFileSystem.IsMounted(dir))
            {
                MountedFileSystem.Run("umount", "-l", dir);
            }

            Directory.Delete(dir);
        }
    }

    [SkippableFact]
    public void MissingLibfuseIsNamedWithThePackage()
    {
        MountedFileSystem.SkipUnlessRoot(); // and unshare -m needs it
        string dir = Directory.CreateTempSubdirectory("checkpointable-mount-").FullName;
        try
        {
            // A private mount namespace where the library's file is empty: loading it fails as if uninstalled.
            var r = MountedFileSystem.Run("unshare", "-m", "sh", "-c",
                $"mount --bind /dev/null \"$(readlink -f /lib/x86_64-linux-gnu/libfuse3.so.3)\" && exec {CliRunner.Path} mount {dir}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("checkpointable: libfuse3 is not installed (libfuse3.so.3 not found): apt-get install fuse3 libfuse3-3\n", r.Stderr);
            Assert.False(MountedFileSystem.IsMounted(dir));
        }
        finally
        {
            Directory.Delete(dir);
        }
    }
}
