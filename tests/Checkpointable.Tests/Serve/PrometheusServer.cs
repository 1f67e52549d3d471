using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Checkpointable.Tests.Serve;

/// <summary>
/// A real Prometheus (Debian's /usr/bin/prometheus) scraping one target every second on loopback, with its
/// data in a temp dir; queried over its HTTP API. Killed and its data removed on Dispose.
/// </summary>
internal sealed class PrometheusServer : IDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly string _dir;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string dir, HttpClient http)
    {
        _process = process;
        _dir = dir;
        _http = http;
    }

    public static PrometheusServer Start(Uri target)
    {
        string dir = Directory.CreateTempSubdirectory("checkpointable-prometheus-").FullName;
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"),
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n" +
            $"scrape_configs:\n  - job_name: checkpointable\n    static_configs:\n      - targets: ['{target.Authority}']\n");
        int port = FreePort();
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            $"--config.file={dir}/prometheus.yml", $"--storage.tsdb.path={dir}/data",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        })
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        var server = new PrometheusServer(p, dir, http);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !p.HasExited)
        {
            try
            {
                if (http.GetAsync("-/ready").GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            Thread.Sleep(250);
        }

        server.Dispose();
        throw new TimeoutException("prometheus did not become ready within 60 s");
    }

    /// <summary>An instant query: each result's labels and value.</summary>
    public List<(Dictionary<string, string> Labels, double Value)> Query(string promql)
    {
        string json = _http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(promql)).GetAwaiter().GetResult();
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => (
                r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty),
                double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>Polls the query (at most <paramref name="bound"/>) until it has a result; returns the last answer.</summary>
    public List<(Dictionary<string, string> Labels, double Value)> WaitFor(string promql, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        var result = Query(promql);
        while (result.Count == 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(500);
            result = Query(promql);
        }

        return result;
    }

    public void Dispose()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit(10_000);
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
