using System.Collections.Concurrent;
using System.Diagnostics;
using Checkpointable.Tests.Cli;

namespace Checkpointable.Tests.Watch;

/// <summary>
/// A long-running checkpointable command (watch, wait) whose stdout lines arrive while it runs. Every wait is
/// bounded; Dispose kills it if it is still running.
/// </summary>
internal sealed class LiveCommand : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly List<string> _seen = [];
    private readonly Task<string> _stderr;

    public LiveCommand(params string[] args)
    {
        var psi = new ProcessStartInfo(CliRunner.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HOME"] = "/tmp";
        _process = Process.Start(psi)!;
        _stderr = _process.StandardError.ReadToEndAsync();
        _ = Task.Run(() =>
        {
            while (_process.StandardOutput.ReadLine() is { } line)
            {
                _lines.Add(line);
            }

            _lines.CompleteAdding();
        });
    }

    /// <summary>Every line read so far, in order.</summary>
    public IReadOnlyList<string> Seen => _seen;

    public bool HasExited => _process.HasExited;

    /// <summary>Reads lines until one matches; throws (with what was seen) when none does within the bound.</summary>
    public string Until(Func<string, bool> match, string what, TimeSpan? bound = null)
    {
        var deadline = DateTime.UtcNow + (bound ?? Bound);
        while (DateTime.UtcNow < deadline)
        {
            if (!_lines.TryTake(out var line, deadline - DateTime.UtcNow))
            {
                break;
            }

            _seen.Add(line);
            if (match(line))
            {
                return line;
            }
        }

        throw new TimeoutException($"no line with {what} within {(bound ?? Bound).TotalSeconds} s; seen:\n{string.Join('\n', _seen)}\nstderr: {Stderr()}");
    }

    /// <summary>Waits (bounded) for the command to end by itself and returns its exit code; the rest of stdout is read.</summary>
    public int Exit()
    {
        if (!_process.WaitForExit(Bound))
        {
            throw new TimeoutException($"checkpointable did not exit within {Bound.TotalSeconds} s; seen:\n{string.Join('\n', _seen)}");
        }

        _process.WaitForExit();
        while (_lines.TryTake(out var line, TimeSpan.FromSeconds(10)))
        {
            _seen.Add(line);
        }

        return _process.ExitCode;
    }

    public string Stderr() => _stderr.Wait(TimeSpan.FromSeconds(10)) ? _stderr.Result : string.Empty;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        _lines.Dispose();
    }
}
