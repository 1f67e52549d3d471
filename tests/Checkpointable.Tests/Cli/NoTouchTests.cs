using System.Diagnostics;
using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Cli;

/// <summary>
/// The target is never touched: under strace -f, no command makes a call that stops, traces, signals or
/// reads/writes another process's memory (pidfd_getfd and kcmp are allowed: they only read), and a target's
/// state and context-switch counters are the same after it was inspected. Both run over <see cref="Commands"/>.
/// </summary>
public class NoTouchTests(ITestOutputHelper output)
{
    /// <summary>
    /// Every command, as a command line ({pid} is the subject's root) with the subject it inspects and the exit codes
    /// it may give. A command that runs until stopped (watch, mount, serve) sets StopAfter: it is interrupted with
    /// SIGINT by the test after that long. Adding a command is one line here.
    /// </summary>
    public static readonly IReadOnlyList<NoTouchCase> Commands =
    [
        new("check-unix-external", "unix-stream-external", "-t {pid}", [1]),
        new("check-tcp-inside", "tcp-established-inside", "-t {pid}", [1]),
        new("check-epoll-escaped", "epoll-escaped", "-t {pid}", [1]),
        new("check-udp-corked", "udp-corked", "-t {pid}", [1]),
        new("check-json", "flock", "-t {pid} --json", [1]),
        new("fdinfo", "tree", "fdinfo {pid}", [0]),
        new("fdinfo-json", "flock", "fdinfo {pid} --json", [1]),
        new("host", "threads", string.Empty, [0]),
        new("host-json", "flock", "--json", [0]),
        new("wait", "flock", "wait -t {pid} --timeout 2s --interval 200ms", [1]),
        new("watch-tree", "flock", "watch -t {pid} --interval 200ms", [0], StopAfter: TimeSpan.FromSeconds(3)),
        new("watch-host", "flock", "watch --interval 500ms", [0], StopAfter: TimeSpan.FromSeconds(4)),
        // mount: Mount/MountNoTouchTests straces the daemon while files are read (a mount nobody reads proves nothing)
        // serve: Serve/ServeNoTouchTests straces serve while its endpoints are requested, for the same reason
    ];

    private static readonly string[] s_forbidden = ["ptrace", "kill", "tgkill", "tkill", "pidfd_send_signal", "process_vm_readv", "process_vm_writev"];

    public static TheoryData<string> CommandNames() => [.. Commands.Select(c => c.Name)];

    [SkippableTheory]
    [MemberData(nameof(CommandNames))]
    public void NoForbiddenSyscalls(string name)
    {
        Skip.IfNot(File.Exists("/usr/bin/strace"), "strace is not installed");

        var command = Commands.Single(c => c.Name == name);
        using var s = Subject.Start(command.Factory);
        string log = Path.GetTempFileName();
        try
        {
            string[] strace = ["/usr/bin/strace", "-f", "-qq", "-o", log, "-e", "trace=" + string.Join(',', s_forbidden) + ",pidfd_getfd,kcmp"];
            int exit = Run(strace, command, s.RootPid);
            Assert.Contains(exit, command.ExitCodes);
            var calls = File.ReadAllLines(log);
            output.WriteLine($"{calls.Length} traced calls");
            foreach (var line in calls)
            {
                output.WriteLine(line);
            }

            var bad = ForbiddenCalls(calls);
            Assert.True(bad.Count == 0, "forbidden calls:\n" + string.Join('\n', bad));
            if (name == "check-udp-corked")
            {
                Assert.Contains(calls, l => l.Contains(" pidfd_getfd(", StringComparison.Ordinal)); // the trace really sees our calls
            }
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public void SignalsToOtherProcessesAreForbiddenAndTheRuntimesOwnAreNot()
    {
        string[] log =
        [
            "2582  tgkill(2582, 2586, SIGRT_2)       = 0",   // the .NET runtime suspending its own thread for a GC
            "2586  tkill(2582, SIGRT_2)              = 0",
            "2582  kill(31848, SIGSTOP)              = 0",
            "2582  tgkill(31848, 31848, SIGTERM)     = 0",
            "2582  ptrace(PTRACE_SEIZE, 31848, NULL, 0) = 0",
        ];
        Assert.Equal(log[2..], ForbiddenCalls(log));
    }

    /// <summary>
    /// Lines of an strace -f log (PID first) with a forbidden call. kill, tgkill and tkill aimed at one of the traced
    /// threads themselves are allowed: the .NET runtime signals its own threads (GC suspension, SIGRT_2).
    /// </summary>
    private static List<string> ForbiddenCalls(IReadOnlyList<string> calls)
    {
        var own = calls.Select(l => l.Split(' ', 2)[0]).ToHashSet();
        return calls.Where(l =>
        {
            if (!s_forbidden.Any(f => l.Contains($" {f}(", StringComparison.Ordinal)))
            {
                return false;
            }

            int open = l.IndexOf('(', StringComparison.Ordinal);
            string call = l[..open].Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
            string target = l[(open + 1)..].Split(',', 2)[0].Trim();
            return call is not ("kill" or "tgkill" or "tkill") || !own.Contains(target);
        }).ToList();
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void TargetStateAndContextSwitchesDoNotChange(string name)
    {
        var command = Commands.Single(c => c.Name == name);
        using var s = Subject.Start(command.Factory);
        var tree = TreeOf(s.RootPid);
        string before = Status(tree);
        int exit = Run([], command, s.RootPid);
        Assert.Contains(exit, command.ExitCodes);
        string after = Status(tree);
        output.WriteLine(after);
        Assert.Equal(before, after);
    }

    [Fact]
    public void AWokenTargetIsNoticed()
    {
        // The measure can fail: the test itself (not the tool) stops and continues the target, which wakes it.
        using var s = Subject.Start("sleep");
        var tree = TreeOf(s.RootPid);
        string before = Status(tree);
        Assert.Equal(0, SubjectNative.Kill(s.RootPid, 19)); // SIGSTOP
        Assert.True(SpinUntil(() => Status(tree).Contains("State:\tT", StringComparison.Ordinal)), "the target did not stop");
        Assert.Equal(0, SubjectNative.Kill(s.RootPid, 18)); // SIGCONT
        Assert.True(SpinUntil(() => !Status(tree).Contains("State:\tT", StringComparison.Ordinal)), "the target did not continue");
        Assert.NotEqual(before, Status(tree));
    }

    /// <summary>Runs the command (under <paramref name="wrapper"/>), interrupting it after StopAfter if set; its exit code.</summary>
    private static int Run(string[] wrapper, NoTouchCase command, int pid)
    {
        string[] args = command.Arguments(pid);
        if (command.StopAfter is not { } after)
        {
            return wrapper.Length == 0 ? CliRunner.Run(args).ExitCode : CliRunner.RunWith(wrapper, args).ExitCode;
        }

        var psi = new ProcessStartInfo(wrapper.Length == 0 ? CliRunner.Path : wrapper[0]) { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in wrapper.Skip(1).Concat(wrapper.Length > 0 ? [CliRunner.Path] : []).Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        Thread.Sleep(after);

        // The CLI is our own process (under strace, strace's child): SIGINT it as a user's ^C would.
        int cli = wrapper.Length == 0 ? p.Id : ChildrenOf(p.Id).FirstOrDefault(p.Id);
        _ = SubjectNative.Kill(cli, 2);
        if (!p.WaitForExit(30_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{command.Name} did not stop within 30 s of SIGINT");
        }

        return p.ExitCode;
    }

    private static List<int> TreeOf(int root)
    {
        var tree = new List<int> { root };
        for (int i = 0; i < tree.Count; i++)
        {
            tree.AddRange(ChildrenOf(tree[i]));
        }

        return tree;
    }

    private static IEnumerable<int> ChildrenOf(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task")
            .SelectMany(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse)
            .ToList();

    /// <summary>State and both context-switch counters of every process (and thread) of the tree.</summary>
    private static string Status(List<int> tree) => string.Join('\n', tree.SelectMany(pid =>
        Directory.EnumerateDirectories($"/proc/{pid}/task").Order().SelectMany(t => File.ReadAllLines(Path.Combine(t, "status"))
            .Where(l => l.StartsWith("State:", StringComparison.Ordinal) || l.Contains("ctxt_switches", StringComparison.Ordinal))
            .Select(l => $"{Path.GetFileName(t)} {l}"))));

    private static bool SpinUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return false;
    }
}

/// <summary>One command line for the no-touch tests.</summary>
public sealed record NoTouchCase(string Name, string Factory, string CommandLine, int[] ExitCodes, TimeSpan? StopAfter = null)
{
    public string[] Arguments(int pid) =>
        CommandLine.Replace("{pid}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
