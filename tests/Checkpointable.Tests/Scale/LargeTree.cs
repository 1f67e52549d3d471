using System.Diagnostics;
using System.Globalization;

namespace Checkpointable.Tests.Scale;

/// <summary>
/// A large tree built by tests/scale/hold.c (hold fds N | tree N | sockets N P): the launcher stays outside, prints
/// READY ROOT and holds until its stdin closes, then kills and reaps the whole tree (bounded waits).
/// </summary>
internal sealed class LargeTree : IDisposable
{
    private readonly Process _process;

    public LargeTree(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "hold"))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi)!;
        var stderr = _process.StandardError.ReadToEndAsync();
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromMinutes(3)) || line.Result is not { } ready || !ready.StartsWith("READY ", StringComparison.Ordinal))
        {
            Dispose();
            throw new InvalidOperationException($"hold {string.Join(' ', args)} did not get ready: {(stderr.Wait(5000) ? stderr.Result : string.Empty)}");
        }

        RootPid = int.Parse(ready["READY ".Length..], CultureInfo.InvariantCulture);
    }

    public int RootPid { get; }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        if (!_process.WaitForExit(60_000))
        {
            _process.Kill(true);
        }

        _process.Dispose();
    }
}
