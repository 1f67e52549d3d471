using Checkpointable.Tests.Cli;
using Checkpointable.Tests.Live;

namespace Checkpointable.Tests.NonRoot;

/// <summary>
/// Runs the CLI and subjects as the unprivileged user nobody (uid/gid 65534, no groups) through setpriv, from copies in
/// a world-readable temporary folder (the build output may sit under a folder nobody cannot enter). Needs root.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Unprivileged : IDisposable
{
    public const int Uid = 65534;

    public static readonly string[] AsNobody = ["/usr/bin/setpriv", $"--reuid={Uid}", $"--regid={Uid}", "--clear-groups"];

    private readonly DirectoryInfo _folder;

    public Unprivileged()
    {
        Available = Environment.UserName == "root" && File.Exists(AsNobody[0]);
        _folder = Directory.CreateTempSubdirectory("checkpointable-nonroot-");
        const UnixFileMode Open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(_folder.FullName, Open);

        // The AOT binary is one file; a framework-dependent build (no CHECKPOINTABLE_BIN) runs from where it is.
        Cli = Environment.GetEnvironmentVariable("CHECKPOINTABLE_BIN") is { Length: > 0 } ? Copy(CliRunner.Path, Open) : CliRunner.Path;
        SubjectProgram = Copy(Subject.ExecutablePath, Open);
    }

    /// <summary>Root runs the tests and setpriv is installed.</summary>
    public bool Available { get; }

    public string Cli { get; }

    public string SubjectProgram { get; }

    /// <summary>The CLI as nobody.</summary>
    internal CliRunner.Result Run(params string[] args) => CliRunner.RunProgram(Cli, AsNobody, args);

    /// <summary>A subject tree owned by nobody.</summary>
    public Subject StartSubject(string factory) => Subject.StartWrapped(AsNobody, SubjectProgram, factory);

    public void Dispose() => _folder.Delete(recursive: true);

    private string Copy(string path, UnixFileMode mode)
    {
        string copy = Path.Combine(_folder.FullName, Path.GetFileName(path));
        File.Copy(path, copy);
        File.SetUnixFileMode(copy, mode);
        return copy;
    }
}
