using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Cli;

/// <summary>
/// The target is never touched: under strace -f, no command makes a call that stops, traces, signals or
/// reads/writes another process's memory. (pidfd_getfd and kcmp are allowed: they only read.)
/// </summary>
public class NoTouchTests(ITestOutputHelper output)
{
    private static readonly string[] s_forbidden = ["ptrace", "kill", "tgkill", "tkill", "pidfd_send_signal", "process_vm_readv", "process_vm_writev"];

    [Theory]
    [InlineData("check", "unix-stream-external")]
    [InlineData("check", "tcp-established-inside")]
    [InlineData("check", "epoll-escaped")]
    [InlineData("check", "udp-corked")]
    [InlineData("fdinfo", "tree")]
    [InlineData("host", "threads")]
    [InlineData("wait", "flock")]
    public void NoForbiddenSyscalls(string command, string factory)
    {
        if (!File.Exists("/usr/bin/strace"))
        {
            output.WriteLine("SKIP: strace is not installed");
            return;
        }

        using var s = Subject.Start(factory);
        string log = Path.GetTempFileName();
        try
        {
            string[] args = command switch
            {
                "check" => ["-t", s.RootPid.ToString()],
                "fdinfo" => ["fdinfo", s.RootPid.ToString()],
                "wait" => ["wait", "-t", s.RootPid.ToString(), "--timeout", "1s", "--interval", "200ms"], // several looks, then exit 1
                _ => [],
            };
            var r = CliRunner.RunWith(["/usr/bin/strace", "-f", "-qq", "-o", log, "-e", "trace=" + string.Join(',', s_forbidden) + ",pidfd_getfd,kcmp"], args);
            Assert.InRange(r.ExitCode, 0, 1);
            var calls = File.ReadAllLines(log);
            output.WriteLine($"{calls.Length} traced calls");
            foreach (var line in calls)
            {
                output.WriteLine(line);
            }

            var bad = calls.Where(l => s_forbidden.Any(name => l.Contains($" {name}(", StringComparison.Ordinal))).ToList();
            Assert.True(bad.Count == 0, "forbidden calls:\n" + string.Join('\n', bad));
            if (command == "check" && factory == "udp-corked")
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
    public void TargetStateAndContextSwitchesDoNotChange()
    {
        using var s = Subject.Start("tcp-established-inside");
        string Status() => string.Join('\n', File.ReadAllLines($"/proc/{s.RootPid}/status")
            .Where(l => l.StartsWith("State:", StringComparison.Ordinal) || l.Contains("ctxt_switches", StringComparison.Ordinal)));
        string before = Status();
        var r = CliRunner.Run("-t", s.RootPid.ToString());
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(before, Status());
    }
}
