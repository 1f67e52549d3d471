using System.Diagnostics;

namespace Checkpointable.Tests.Cli;

/// <summary>Runs the checkpointable executable built beside the tests (or $CHECKPOINTABLE_BIN, e.g. the AOT binary).</summary>
internal static class CliRunner
{
    public static string Path => Environment.GetEnvironmentVariable("CHECKPOINTABLE_BIN") is { Length: > 0 } bin
        ? bin
        : System.IO.Path.Combine(AppContext.BaseDirectory, "checkpointable");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => RunWith(null, args);

    /// <summary>Runs <paramref name="wrapper"/> (e.g. strace, setpriv) with the CLI and its arguments after it.</summary>
    public static Result RunWith(string[]? wrapper, params string[] args) => RunProgram(Path, wrapper, args);

    /// <summary>As <see cref="RunWith"/> with another copy of the executable (one another user may run, say).</summary>
    public static Result RunProgram(string program, string[]? wrapper, params string[] args)
    {
        var psi = new ProcessStartInfo(wrapper is null ? program : wrapper[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in wrapper?.Skip(1).Append(program) ?? [])
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HOME"] = "/tmp";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{System.IO.Path.GetFileName(program)} {string.Join(' ', args)} did not finish in 120 s");
        }

        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
