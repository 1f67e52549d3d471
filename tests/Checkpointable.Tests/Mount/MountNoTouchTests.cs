using System.Diagnostics;
using Checkpointable.Tests.Cli;
using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Mount;

/// <summary>
/// The mount never touches its targets: under strace -f, serving every kind of file makes no call that stops,
/// traces or signals another process or reads its memory. (The runtime may signal its own threads: tgkill to
/// the mount's own pid is allowed.)
/// </summary>
public sealed class MountNoTouchTests(ITestOutputHelper output)
{
    private static readonly string[] s_forbidden = ["ptrace", "kill", "tgkill", "tkill", "pidfd_send_signal", "process_vm_readv", "process_vm_writev"];

    [SkippableFact]
    public void ServingFilesTouchesNoTarget()
    {
        Skip.IfNot(File.Exists("/usr/bin/strace"), "strace is not installed");
        MountedFileSystem.SkipUnlessRoot();

        using var s = Subject.Start("tcp-established-inside");
        string dir = Directory.CreateTempSubdirectory("checkpointable-mount-").FullName;
        string log = Path.GetTempFileName();
        var psi = new ProcessStartInfo("/usr/bin/strace") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "-f", "-qq", "-o", log, "-e", "trace=" + string.Join(',', s_forbidden) + ",mount", CliRunner.Path, "mount", dir })
        {
            psi.ArgumentList.Add(a);
        }

        using var strace = Process.Start(psi)!;
        try
        {
            for (int i = 0; i < 600 && !MountedFileSystem.IsMounted(dir); i++)
            {
                Thread.Sleep(50);
            }

            Assert.True(MountedFileSystem.IsMounted(dir));
            int mountPid = int.Parse(File.ReadAllText($"/proc/{strace.Id}/task/{strace.Id}/children").Trim().Split(' ')[0]);
            string pid = s.RootPid.ToString();
            var fdinfo = Directory.GetFiles(Path.Combine(dir, pid, "fdinfo"));
            Assert.NotEmpty(fdinfo);
            foreach (var f in new[] { "checkpointable", "reasons", "checkpointable.json" }.Select(f => Path.Combine(dir, pid, f)).Concat(fdinfo))
            {
                Assert.NotNull(File.ReadAllText(f));
            }

            Assert.NotEmpty(File.ReadAllText(Path.Combine(dir, "checkpointable")));
            Assert.Equal(0, MountedFileSystem.Run("fusermount3", "-u", dir).ExitCode);
            Assert.True(strace.WaitForExit(60_000));
            var calls = File.ReadAllLines(log);
            var bad = calls.Where(l => s_forbidden.Any(name => l.Contains($" {name}(", StringComparison.Ordinal)))
                .Where(l => !l.Contains($" tgkill({mountPid}, ", StringComparison.Ordinal)) // the runtime signalling its own threads
                .ToList();
            output.WriteLine($"{calls.Length} traced calls");
            Assert.Contains(calls, l => l.Contains(" mount(", StringComparison.Ordinal)); // the trace really sees the mount's calls
            Assert.True(bad.Count == 0, "forbidden calls:\n" + string.Join('\n', bad));
        }
        finally
        {
            if (!strace.HasExited)
            {
                strace.Kill(true);
                strace.WaitForExit(10_000);
            }

            if (MountedFileSystem.IsMounted(dir))
            {
                MountedFileSystem.Run("umount", "-l", dir);
            }

            Directory.Delete(dir);
            File.Delete(log);
        }
    }
}
