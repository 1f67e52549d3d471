using System.Diagnostics;
using Checkpointable.Tests.Cli;
using Xunit;

namespace Checkpointable.Tests.Mount;

/// <summary>
/// A real `checkpointable mount DIR` (the binary CliRunner runs, e.g. the AOT one) on a fresh temp directory,
/// in the foreground in a background process. Dispose always unmounts (SIGTERM, then fusermount3 -u, then
/// umount -l), kills the process if it is still there, and removes the directory.
/// </summary>
internal sealed class MountedFileSystem : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly StringWriter _stderr = new();
    private readonly Task _stderrPump;

    public MountedFileSystem(params string[] extraArgs)
        : this(Directory.CreateTempSubdirectory("checkpointable-mount-").FullName, extraArgs)
    {
    }

    /// <summary>Mounts on an existing directory (e.g. again, after fixing a stale mount).</summary>
    public MountedFileSystem(string dir, string[] extraArgs)
    {
        SkipUnlessRoot();
        Dir = dir;
        var psi = new ProcessStartInfo(CliRunner.Path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("mount");
        psi.ArgumentList.Add(Dir);
        foreach (var a in extraArgs)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HOME"] = "/tmp";
        Process = Process.Start(psi) ?? throw new InvalidOperationException("could not start checkpointable mount");
        var ready = new TaskCompletionSource<bool>();
        _stderrPump = Task.Run(() =>
        {
            while (Process.StandardError.ReadLine() is { } line)
            {
                lock (_stderr)
                {
                    _stderr.WriteLine(line);
                }

                if (line.StartsWith("checkpointable: mounted on ", StringComparison.Ordinal))
                {
                    ready.TrySetResult(true);
                }
            }

            ready.TrySetResult(false);
        });
        _ = Process.StandardOutput.ReadToEndAsync();
        if (!ready.Task.Wait(ReadyTimeout) || !ready.Task.Result)
        {
            Dispose();
            throw new InvalidOperationException($"checkpointable mount {Dir} did not come up: {Stderr}");
        }
    }

    public string Dir { get; }

    /// <summary>
    /// The mount tests mount FUSE and expect what root sees (every process readable; /dev/fuse may be root's only, as
    /// on hosts without udev): without root, the calling [SkippableFact] or [SkippableTheory] is reported skipped.
    /// </summary>
    public static void SkipUnlessRoot() =>
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root: the mount tests mount FUSE and read every process as root");

    public Process Process { get; }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public string PathOf(params string[] parts) => Path.Combine([Dir, .. parts]);

    /// <summary>Resident memory of the mount process, in KiB (VmRSS).</summary>
    public long RssKiB() => long.Parse(File.ReadLines($"/proc/{Process.Id}/status")
        .First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    public static bool IsMounted(string dir) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ') is { Length: > 4 } f && f[4] == dir);

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                _ = Live.SubjectNative.Kill(Process.Id, 15);
                Process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }

        if (IsMounted(Dir))
        {
            Run("fusermount3", "-u", Dir);
        }

        if (IsMounted(Dir))
        {
            Run("umount", "-l", Dir);
        }

        if (!Process.HasExited)
        {
            Process.Kill();
            Process.WaitForExit(10_000);
        }

        _stderrPump.Wait(10_000);
        try
        {
            Directory.Delete(Dir);
        }
        catch (IOException)
        {
            // still busy: left in /tmp
        }

        Process.Dispose();
    }

    /// <summary>Runs a tool to completion (bounded) and returns its exit code, stdout and stderr.</summary>
    public static CliRunner.Result Run(string file, params string[] args) => CliRunner.RunProgram(file, null, args);
}
