using System.Diagnostics;
using Checkpointable.Predict;
using Checkpointable.Rules;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Containers;

/// <summary>
/// Real Podman containers (runc), judged by name: a `-t` container (TTY3 lifted by orphan_pts_master), one joining
/// another's pid namespace (T22 lifted by `--external pid[…]:extRootPidNS`), one started with `--rm` (C-RM), and a
/// plain one. Needs root, podman and the image conformance/containers/run.sh builds (run it once with KEEP=1);
/// the real checkpoints of the same states are conformance/containers/RESULTS.md.
/// </summary>
public sealed class PodmanLiveTests(ITestOutputHelper output) : IDisposable
{
    private const string Image = "localhost/checkpointable-busybox:conformance";
    private readonly string _prefix = $"ckt-{Environment.ProcessId}";
    private readonly string _conf = Path.Combine(Path.GetTempPath(), $"ckt-containers-{Environment.ProcessId}.conf");

    [SkippableFact]
    public void PodmanContainersAreJudgedAsRuncRequestsTheirCheckpoint()
    {
        Skip.IfNot(Environment.UserName == "root", "podman checkpoint needs root");
        Skip.If(Which("podman") is null || Which("runc") is null, "podman or runc is not installed (conformance/containers/README.md)");
        File.WriteAllText(_conf, $"""
            [containers]
            default_ulimits = ["nofile={HardNoFile()}:{HardNoFile()}", "nproc=32768:32768"]
            log_driver = "k8s-file"
            [engine]
            cgroup_manager = "cgroupfs"
            events_logger = "file"
            runtime = "runc"
            """);
        Skip.IfNot(Podman("image", "exists", Image).Code == 0, $"no image {Image}: run conformance/containers/run.sh once with KEEP=1");

        Start("plain", "--network", "host", Image, "sleep", "100000");
        Start("tty", "-t", "--network", "host", Image, "sleep", "100000");
        Start("pidjoin", "--network", "host", "--pid", $"container:{_prefix}-plain", Image, "sleep", "100000");
        Start("rm", "--rm", "--network", "host", Image, "sleep", "100000");

        var plain = Judge("plain");
        Assert.Equal(Verdict.Checkpointable, plain.Judgement.Verdict);
        Assert.Equal(["orphan_pts_master"], plain.Runtime.RpcOnly);
        Assert.Contains("--empty-ns", plain.RuntimeTokens);

        var tty = Judge("tty");
        Assert.Contains(tty.Judgement.Findings, f => f.RuleId == "TTY3" && f.Lifted);
        Assert.Equal(Verdict.Checkpointable, tty.Judgement.Verdict);

        var joined = Judge("pidjoin");
        Assert.Contains(joined.Judgement.Findings, f => f.RuleId == "T22" && f.Lifted);
        Assert.Contains(joined.RuntimeTokens, t => t.EndsWith(":extRootPidNS", StringComparison.Ordinal));
        Assert.Equal(Verdict.Checkpointable, joined.Judgement.Verdict);

        var rm = Judge("rm");
        Assert.Contains(rm.Judgement.Findings, f => f.RuleId == "C-RM" && f.Blocks);
        Assert.Equal(Verdict.NotCheckpointable, rm.Judgement.Verdict);
        Assert.Null(rm.Judgement.MissingOptions);
    }

    public void Dispose()
    {
        if (File.Exists(_conf))
        {
            foreach (var name in new[] { "pidjoin", "plain", "tty", "rm" })
            {
                Podman("rm", "-f", "-t", "0", $"{_prefix}-{name}");
            }

            File.Delete(_conf);
        }
    }

    private ContainerJudgement Judge(string name)
    {
        var c = Predictor.JudgeContainer($"{_prefix}-{name}", ["--no-default-config"]);
        output.WriteLine($"{name}: {c.Judgement.Verdict} {string.Join(' ', c.RuntimeTokens)} [{string.Join(", ", c.Judgement.Findings.Select(f => $"{f.RuleId}{(f.Lifted ? " lifted" : string.Empty)}"))}]");
        return c;
    }

    private void Start(string name, params string[] args)
    {
        var r = Podman(["run", "-d", "--name", $"{_prefix}-{name}", .. args]);
        Assert.True(r.Code == 0, $"podman run {name}: {r.Output}");
    }

    private (int Code, string Output) Podman(params string[] args)
    {
        var psi = new ProcessStartInfo("podman") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["CONTAINERS_CONF"] = _conf;
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, text);
    }

    private static string HardNoFile() =>
        File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];

    private static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
}
