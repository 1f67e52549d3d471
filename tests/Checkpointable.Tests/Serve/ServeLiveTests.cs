using System.Globalization;
using System.Text.Json;
using Checkpointable.Tests.Cli;
using Checkpointable.Tests.Containers;
using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Serve;

/// <summary>`checkpointable serve` as a client sees it: a real Prometheus scraping it, the JSON endpoints, bad requests, shared scans.</summary>
public class ServeLiveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan SeriesBound = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public void PrometheusScrapesContainerGaugesAndBlockerCounts()
    {
        Skip.IfNot(File.Exists(PrometheusServer.Binary), "prometheus is not installed (test.sh installs it)");

        using var good = Subject.Start("sleep");
        using var bad = Subject.Start("flock");
        using var goodCg = TestCgroup.Create() ?? TestCgroup.Create("pids");
        using var badCg = TestCgroup.Create() ?? TestCgroup.Create("pids");
        Skip.If(goodCg is null || badCg is null, "no cgroup hierarchy to make containers in");

        goodCg.Move(good.RootPid);
        badCg.Move(bad.RootPid);
        using var serve = ServeProcess.Start("--min-age", "0.5");
        using var prometheus = PrometheusServer.Start(serve.Address);

        var badGauge = prometheus.WaitFor($"checkpointable_container_checkpointable{{container_id=\"{badCg.Id}\"}}", SeriesBound);
        var goodGauge = prometheus.WaitFor($"checkpointable_container_checkpointable{{container_id=\"{goodCg.Id}\"}}", SeriesBound);
        Assert.Equal(0, Assert.Single(badGauge).Value);
        Assert.Equal("docker", badGauge[0].Labels["runtime"]);
        Assert.Equal(1, Assert.Single(goodGauge).Value);

        var l1 = prometheus.WaitFor($"checkpointable_container_blockers{{container_id=\"{badCg.Id}\",rule=\"L1\"}}", SeriesBound);
        Assert.Equal(1, Assert.Single(l1).Value);
        Assert.Empty(prometheus.Query($"checkpointable_container_blockers{{container_id=\"{goodCg.Id}\"}}"));

        Assert.True(prometheus.WaitFor("checkpointable_blockers{rule=\"L1\"}", SeriesBound).Single().Value >= 1);
        Assert.Equal(1, prometheus.WaitFor("up{job=\"checkpointable\"}", SeriesBound).Single().Value);
        Assert.Equal(0, prometheus.WaitFor("checkpointable_scrape_errors_total", SeriesBound).Single().Value);
        Assert.True(prometheus.WaitFor("checkpointable_scan_duration_seconds", SeriesBound).Single().Value > 0);

        // Per-process series only where asked.
        Assert.Empty(prometheus.Query("checkpointable_process_checkpointable"));
    }

    [Fact]
    public void JsonEndpointsAnswerAsTheCliDoesAndNeverShowEnvironments()
    {
        const string Secret = "s3cr3t-do-not-export";
        Environment.SetEnvironmentVariable("CHECKPOINTABLE_TEST_SECRET", Secret);
        using var s = Subject.Start("flock");
        using var serve = ServeProcess.Start();

        var body = serve.Get($"v1/processes/{s.RootPid}", out int status);
        Assert.Equal(200, status);
        using (var doc = JsonDocument.Parse(body))
        {
            Assert.Equal(s.RootPid, doc.RootElement.GetProperty("root").GetInt32());
            Assert.Equal("not-checkpointable", doc.RootElement.GetProperty("verdict").GetString());
            Assert.Contains(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("rule").GetString() == "L1");
        }

        var cli = JsonDocument.Parse(CliRunner.Run("-t", s.RootPid.ToString(CultureInfo.InvariantCulture), "--json").Stdout);
        Assert.Equal(cli.RootElement.GetProperty("findings").GetRawText(), JsonDocument.Parse(body).RootElement.GetProperty("findings").GetRawText());

        Assert.Equal("ok\n", serve.Get("healthz", out status));
        Assert.Equal(200, status);
        var metrics = serve.Get("metrics", out status);
        Assert.Equal(200, status);
        Assert.DoesNotContain(Secret, body);
        Assert.DoesNotContain(Secret, metrics);
        Assert.Contains(Secret, File.ReadAllText($"/proc/{s.RootPid}/environ")); // it is there to leak
    }

    [Theory]
    [InlineData("v1/processes/4194303", 404, "no such process")]
    [InlineData("v1/processes/0", 400, "is not a PID")]
    [InlineData("v1/processes/abc", 400, "is not a PID")]
    [InlineData("v1/containers/xyz", 400, "is not a container ID")]
    [InlineData("v1/containers/ffffffffffff", 404, "no running container")]
    [InlineData("metrics?debug=1", 400, "query strings are not accepted")]
    [InlineData("admin", 404, "no such endpoint")]
    public async Task BadRequestsGetA4xxAndOneLine(string path, int expected, string reason)
    {
        using var serve = ServeProcess.Start();
        var body = serve.Get(path, out int status);
        Assert.Equal(expected, status);
        Assert.Contains(reason, body);
        Assert.Single(body.TrimEnd('\n').Split('\n'));

        using var post = await serve.Http.PostAsync("metrics", new StringContent(""));
        Assert.Equal(405, (int)post.StatusCode);
    }

    [Fact]
    public void AThreadIdIsRefusedWithTheProcessToAskFor()
    {
        using var s = Subject.Start("threads");
        int tid = Directory.GetDirectories($"/proc/{s.RootPid}/task").Select(d => int.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture)).First(t => t != s.RootPid);
        using var serve = ServeProcess.Start();
        var body = serve.Get($"v1/processes/{tid}", out int status);
        Assert.Equal(400, status);
        Assert.Contains($"is a thread of process {s.RootPid}", body);
    }

    [SkippableFact]
    public void ContainerEndpointJudgesTheContainersInit()
    {
        using var s = Subject.Start("sleep");
        using var cg = TestCgroup.Create() ?? TestCgroup.Create("pids");
        Skip.If(cg is null, "no cgroup hierarchy to make a container in");

        cg.Move(s.RootPid);
        using var serve = ServeProcess.Start();
        var body = serve.Get($"v1/containers/{cg.Id[..12].ToUpperInvariant()}", out int status);
        output.WriteLine(body);
        Assert.Equal(200, status);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(s.RootPid, doc.RootElement.GetProperty("container").GetProperty("init").GetInt32());
        Assert.Equal("checkpointable", doc.RootElement.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task ConcurrentScrapesShareOneHostScan()
    {
        using var serve = ServeProcess.Start("--min-age", "3600");
        var bodies = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => serve.Http.GetStringAsync("metrics")))
            .WaitAsync(TimeSpan.FromSeconds(120));
        Assert.All(bodies, b => Assert.Contains("\ncheckpointable_scans_total 1\n", b));
        Assert.All(bodies, b => Assert.DoesNotContain("checkpointable_process_checkpointable{", b));
    }

    [Fact]
    public async Task ConcurrentRequestsForOneProcessShareOneScan()
    {
        using var s = Subject.Start("sleep");
        using var serve = ServeProcess.Start("--min-age", "3600");
        var bodies = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => serve.Http.GetStringAsync($"v1/processes/{s.RootPid}")))
            .WaitAsync(TimeSpan.FromSeconds(120));
        Assert.All(bodies, b => Assert.Equal(bodies[0], b));
        Assert.Contains("\ncheckpointable_target_scans_total 1\n", await serve.Http.GetStringAsync("metrics"));

        // Another process is another scan.
        _ = await serve.Http.GetStringAsync($"v1/processes/{s.LauncherPid}");
        Assert.Contains("\ncheckpointable_target_scans_total 2\n", await serve.Http.GetStringAsync("metrics"));
    }

    [Fact]
    public void PerProcessGaugesOnlyWhenAsked()
    {
        using var s = Subject.Start("sleep");
        using var serve = ServeProcess.Start("--process-metrics");
        var body = serve.Get("metrics", out int status);
        Assert.Equal(200, status);
        Assert.Contains($"checkpointable_process_checkpointable{{pid=\"{s.RootPid}\",comm=\"subject\",container_id=\"\"}} 1\n", body);
    }

    [Theory]
    [InlineData("--listen", "localhost:80", "--listen wants IP:PORT")]
    [InlineData("--listen", "127.0.0.1", "--listen wants IP:PORT")]
    [InlineData("--min-age", "-1", "--min-age wants 0 to 3600 seconds")]
    [InlineData("--max-scans", "0", "--max-scans wants 1 to 64")]
    public void BadServeSettingsAreOneLineErrors(string option, string value, string message)
    {
        var r = CliRunner.Run("serve", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void APortInUseIsAOneLineError()
    {
        using var first = ServeProcess.Start();
        var r = CliRunner.Run("serve", "--listen", first.Address.Authority);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"cannot listen on {first.Address.Authority}", r.Stderr);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
    }
}
