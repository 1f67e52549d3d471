using System.Diagnostics;
using System.Text.RegularExpressions;
using Checkpointable.Tests.Cli;

namespace Checkpointable.Tests.Serve;

/// <summary>`checkpointable serve` on a free loopback port (the CLI binary of CliRunner), stopped on Dispose.</summary>
internal sealed partial class ServeProcess : IDisposable
{
    private readonly Process _process;

    private ServeProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    /// <summary>Resident memory of the serve process, in KiB (VmRSS).</summary>
    public long RssKiB() => long.Parse(File.ReadLines($"/proc/{_process.Id}/status")
        .First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    public bool HasExited => _process.HasExited;

    public static ServeProcess Start(params string[] extra) => StartWith(null, extra);

    /// <summary>Runs <paramref name="wrapper"/> (e.g. strace) with serve and its arguments after it.</summary>
    public static ServeProcess StartWith(string[]? wrapper, params string[] extra)
    {
        var psi = new ProcessStartInfo(wrapper is null ? CliRunner.Path : wrapper[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[.. wrapper?.Skip(1).Append(CliRunner.Path) ?? [], "serve", "--listen", "127.0.0.1:0", .. extra])
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HOME"] = "/tmp";
        var p = Process.Start(psi)!;
        var line = p.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(30)) || line.Result is not { } text || Listening().Match(text) is not { Success: true } m)
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"serve did not report its address: {p.StandardError.ReadToEnd()}");
        }

        _ = p.StandardError.ReadToEndAsync();
        return new ServeProcess(p, new Uri(m.Groups[1].Value + "/"));
    }

    public string Get(string path, out int status)
    {
        using var r = Http.GetAsync(path).GetAwaiter().GetResult();
        status = (int)r.StatusCode;
        return r.Content.ReadAsStringAsync().GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit(10_000);
        _process.Dispose();
    }

    [GeneratedRegex(@"^listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
