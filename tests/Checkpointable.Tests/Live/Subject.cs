using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Xunit;

namespace Checkpointable.Tests.Live;

/// <summary>
/// A live process tree in one named state, built by the test-subject program (tests/subject/subject.c).
/// The process started here is the launcher: it stays outside the tree (it plays any outside part
/// the state needs) and forks the root. Dispose ends it all: it closes the launcher's stdin, upon
/// which the launcher kills and reaps the whole tree; if that does not happen within 5 s the
/// launcher gets SIGTERM, then its group, the root's group and every descendant get SIGKILL.
/// </summary>
public sealed class Subject : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    private const int SigKill = 9;
    private const int SigTerm = 15;

    private readonly Process process;
    private readonly Task<string> stderr;
    private bool disposed;

    private Subject(string factory, Process process, Task<string> stderr, int rootPid)
    {
        Factory = factory;
        this.process = process;
        this.stderr = stderr;
        RootPid = rootPid;
        LauncherPid = process.Id;
    }

    /// <summary>The factory name the tree was built with.</summary>
    public string Factory { get; }

    /// <summary>The pid of the tree's root (the process a test judges, as `criu dump -t` would).</summary>
    public int RootPid { get; }

    /// <summary>The pid of the launcher: outside the tree; leader of its own process group.</summary>
    public int LauncherPid { get; }

    /// <summary>The subject program, built by the test project next to the test assembly.</summary>
    public static string ExecutablePath { get; } = Path.Combine(AppContext.BaseDirectory, "subject");

    /// <summary>
    /// Builds the state FACTORY and waits (10 s at most) for the launcher's READY line.
    /// Throws <see cref="SubjectSkippedException"/> when the state can't be built on this machine (exit 77).
    /// </summary>
    public static Subject Start(string factory, params string[] args) => StartWrapped([], factory, args);

    /// <summary>
    /// As <see cref="Start"/>, for a [SkippableFact] or [SkippableTheory]: when the state can't be built on this machine
    /// (exit 77) the test is reported skipped with the factory's SKIP reason, never passed.
    /// </summary>
    public static Subject StartOrSkip(string factory, params string[] args)
    {
        try
        {
            return Start(factory, args);
        }
        catch (SubjectSkippedException e)
        {
            throw new SkipException($"{factory}: {e.Message}");
        }
    }

    /// <summary>
    /// As <see cref="Start"/>, run through <paramref name="wrapper"/> (a command that execs the rest of its arguments,
    /// e.g. setpriv to build the tree as another user); the launcher is then the wrapper's pid.
    /// </summary>
    public static Subject StartWrapped(IReadOnlyList<string> wrapper, string factory, params string[] args) =>
        StartWrapped(wrapper, ExecutablePath, factory, args);

    /// <summary>As <see cref="StartWrapped(IReadOnlyList{string}, string, string[])"/> with a copy of the subject program at <paramref name="executable"/>.</summary>
    public static Subject StartWrapped(IReadOnlyList<string> wrapper, string executable, string factory, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(wrapper);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(args);
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException(
                $"The subject program is missing at {executable}: build tests/Checkpointable.Tests (its BuildSubject target runs gcc).",
                executable);
        }

        var psi = new ProcessStartInfo(wrapper.Count > 0 ? wrapper[0] : executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in wrapper.Skip(1).Concat(wrapper.Count > 0 ? [executable] : []))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.ArgumentList.Add(factory);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {ExecutablePath}");
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var rootPid = WaitForReady(factory, process, stderr);
            return new Subject(factory, process, stderr, rootPid);
        }
        catch
        {
            Terminate(process, rootPid: 0);
            process.Dispose();
            throw;
        }
    }

    private static int WaitForReady(string factory, Process process, Task<string> stderr)
    {
        var line = process.StandardOutput.ReadLineAsync();
        var exited = process.WaitForExitAsync();
        var first = Task.WaitAny([line, exited], ReadyTimeout);
        if (first == 0 && line.Result is { } text)
        {
            var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == "READY" &&
                int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                return pid;
            }

            throw new InvalidOperationException(
                $"subject {factory}: expected 'READY <pid>', got '{text}'{StderrSuffix(stderr)}");
        }

        if (first == -1)
        {
            throw new TimeoutException(
                $"subject {factory}: no READY line within {ReadyTimeout.TotalSeconds} s{StderrSuffix(stderr)}");
        }

        // stdout closed or the launcher exited: it failed (or skipped)
        if (!process.WaitForExit(5000))
        {
            throw new InvalidOperationException($"subject {factory}: stdout closed without READY{StderrSuffix(stderr)}");
        }

        var err = ReadStderr(stderr, TimeSpan.FromSeconds(5));
        if (process.ExitCode == 77)
        {
            var reason = err.Split('\n')
                .Select(l => l.Trim())
                .FirstOrDefault(l => l.StartsWith("SKIP", StringComparison.Ordinal));
            reason = reason is null ? err.Trim() : reason["SKIP".Length..].Trim();
            throw new SubjectSkippedException(reason.Length == 0 ? $"{factory}: skipped (no reason given)" : reason);
        }

        throw new InvalidOperationException(
            $"subject {factory} exited with status {process.ExitCode} before READY: {err.Trim()}");
    }

    private static string ReadStderr(Task<string> stderr, TimeSpan wait)
    {
        try
        {
            return stderr.Wait(wait) ? stderr.Result : "";
        }
        catch (AggregateException)
        {
            return "";
        }
    }

    private static string StderrSuffix(Task<string> stderr)
    {
        var err = stderr.IsCompletedSuccessfully ? stderr.Result.Trim() : "";
        return err.Length == 0 ? "" : $"; stderr: {err}";
    }

    /// <summary>Writes one line to the launcher's stdin: the toggle factory passes it on to the root as commands.</summary>
    public void Send(string line)
    {
        process.StandardInput.Write(line + "\n");
        process.StandardInput.Flush();
    }

    /// <summary>What the launcher printed on stderr so far (complete once it exited).</summary>
    public string Stderr => stderr.IsCompletedSuccessfully ? stderr.Result : "";

    /// <summary>
    /// Closes the launcher's stdin (it then kills and reaps its tree and exits), waits up to 5 s,
    /// then terminates and kills whatever is left. Never leaves a process of the tree behind.
    /// </summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Terminate(process, RootPid);
        process.Dispose();
    }

    private static void Terminate(Process process, int rootPid)
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // the launcher is gone already
        }

        if (process.WaitForExit(5000))
        {
            return;
        }

        // The launcher cleans up on SIGTERM too. Killing it outright would leave its tree to pid 1.
        var pid = process.Id;
        _ = SubjectNative.Kill(pid, SigTerm);
        if (process.WaitForExit(2000))
        {
            return;
        }

        var doomed = Descendants(pid);
        if (rootPid > 0)
        {
            doomed.Add(rootPid);
        }

        if (ProcessGroupOf(pid) == pid)
        {
            _ = SubjectNative.Kill(-pid, SigKill);
        }

        if (rootPid > 0 && ProcessGroupOf(rootPid) == rootPid)
        {
            _ = SubjectNative.Kill(-rootPid, SigKill);
        }

        foreach (var p in doomed)
        {
            _ = SubjectNative.Kill(p, SigKill);
        }

        _ = SubjectNative.Kill(pid, SigKill);
        process.WaitForExit(5000);
    }

    /// <summary>Every process whose parent chain leads to PID (from /proc/*/stat).</summary>
    internal static HashSet<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var p) &&
                ReadStat(p) is { } stat)
            {
                parents[p] = stat.PPid;
            }
        }

        var result = new HashSet<int>();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (p, pp) in parents)
            {
                if (!result.Contains(p) && (pp == pid || result.Contains(pp)))
                {
                    changed |= result.Add(p);
                }
            }
        }

        return result;
    }

    private static int ProcessGroupOf(int pid) => ReadStat(pid)?.PGrp ?? -1;

    /// <summary>Fields of /proc/PID/stat the harness needs, or null when the process is gone.</summary>
    internal static ProcStat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length)
        {
            return null;
        }

        // after "pid (comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
        //                      utime stime cutime cstime priority nice num_threads itrealvalue starttime
        var f = text[(close + 2)..].Split(' ');
        return f.Length < 20
            ? null
            : new ProcStat(
                f[0][0],
                int.Parse(f[1], CultureInfo.InvariantCulture),
                int.Parse(f[2], CultureInfo.InvariantCulture),
                int.Parse(f[3], CultureInfo.InvariantCulture),
                int.Parse(f[4], CultureInfo.InvariantCulture),
                ulong.Parse(f[19], CultureInfo.InvariantCulture));
    }

    internal sealed record ProcStat(char State, int PPid, int PGrp, int Session, int TtyNr, ulong StartTime);
}

internal static partial class SubjectNative
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int sig);
}

/// <summary>The subject program can't build the requested state on this machine (it exited 77).</summary>
public sealed class SubjectSkippedException : Exception
{
    public SubjectSkippedException()
    {
    }

    public SubjectSkippedException(string message)
        : base(message)
    {
    }

    public SubjectSkippedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
