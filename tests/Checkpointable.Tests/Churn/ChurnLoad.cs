using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Checkpointable.Tests.Churn;

/// <summary>
/// tests/churn/churn.c running: RATE short-lived processes per second (each with a few fds, sockets and a child),
/// at nice 5: a little below the observers, whose scans it must race, but not starved by them (at nice 10 it made only
/// half its starts on a busy 2-core machine). Dispose stops it (EOF on its
/// stdin; it kills and reaps everything it started) and reads its closing counts.
/// </summary>
internal sealed partial class ChurnLoad : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;

    public ChurnLoad(TimeSpan duration, int rate)
    {
        var psi = new ProcessStartInfo("/usr/bin/nice")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        foreach (string a in (string[])["-n", "5", Path.Combine(AppContext.BaseDirectory, "churn"), ((int)duration.TotalSeconds).ToString(), rate.ToString()])
        {
            psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi)!;
        string? ready = _process.StandardOutput.ReadLine();
        if (ready != "READY")
        {
            throw new InvalidOperationException($"churn did not start: '{ready}'");
        }

        _output = _process.StandardOutput.ReadToEndAsync();
    }

    public bool Running => !_process.HasExited;

    /// <summary>The load generator's pid (nice execs it in place).</summary>
    public int Pid => _process.Id;

    /// <summary>Processes started and reaped, from its closing line (after <see cref="Dispose"/>).</summary>
    public long Started { get; private set; }

    public long Reaped { get; private set; }

    public string Summary { get; private set; } = string.Empty;

    /// <summary>Waits (bounded) for the load to finish on its own.</summary>
    public void WaitForEnd(TimeSpan bound) => _process.WaitForExit(bound);

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        if (!_process.WaitForExit(30_000))
        {
            _process.Kill(true);
        }

        Summary = _output.Wait(5_000) ? _output.Result.Trim() : string.Empty;
        var m = Counts().Match(Summary);
        if (m.Success)
        {
            Started = long.Parse(m.Groups[1].Value);
            Reaped = long.Parse(m.Groups[2].Value);
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"churn: (\d+) started, (\d+) reaped")]
    private static partial Regex Counts();
}
