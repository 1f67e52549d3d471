using System.Diagnostics;
using Checkpointable.Tests.Live;
using Xunit;

namespace Checkpointable.Tests.Mount;

/// <summary>
/// Who sees what: with --allow-other a non-root reader (setpriv --reuid=65534) sees only the processes whose
/// /proc/PID/fd it could read itself; without it, only the mounting user (root) gets in.
/// </summary>
public sealed class AccessTests
{
    private static readonly string[] s_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

    private static Process StartNobodySleeper()
    {
        var psi = new ProcessStartInfo("setpriv") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in s_nobody.Skip(1).Append("sleep").Append("600"))
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        for (int i = 0; i < 200 && !File.ReadAllText($"/proc/{p.Id}/status").Contains("Uid:\t65534", StringComparison.Ordinal); i++)
        {
            Thread.Sleep(25); // until setpriv has dropped to nobody and exec'd sleep
        }

        return p;
    }

    private static Cli.CliRunner.Result AsNobody(params string[] command) =>
        MountedFileSystem.Run(s_nobody[0], [.. s_nobody.Skip(1), .. command]);

    [SkippableFact]
    public void NonRootSeesOnlyWhatProcLetsItSee()
    {
        using var s = Subject.Start("flock");
        using var m = new MountedFileSystem("--allow-other");
        using var nobody = StartNobodySleeper();
        try
        {
            string mine = nobody.Id.ToString(), roots = s.RootPid.ToString();
            var ls = AsNobody("ls", m.Dir);
            Assert.Equal(0, ls.ExitCode);
            var names = ls.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(mine, names);
            Assert.DoesNotContain(roots, names);
            Assert.DoesNotContain("1", names);

            var own = AsNobody("cat", m.PathOf(mine, "checkpointable"));
            Assert.Equal(0, own.ExitCode);
            Assert.Matches(@"^(\w+: [01]\n){9}$", own.Stdout);
            Assert.Equal(0, AsNobody("ls", m.PathOf(mine, "fdinfo")).ExitCode);

            var other = AsNobody("cat", m.PathOf(roots, "checkpointable"));
            Assert.NotEqual(0, other.ExitCode);
            Assert.Contains("No such file or directory", other.Stderr, StringComparison.Ordinal);

            var table = AsNobody("cat", m.PathOf("checkpointable")).Stdout;
            Assert.Contains($"\n{mine,7} ", table, StringComparison.Ordinal);
            Assert.DoesNotContain($"\n{roots,7} ", table, StringComparison.Ordinal);

            // root, the same mount: everything
            Assert.Contains(roots, Directory.GetDirectories(m.Dir).Select(Path.GetFileName));
            Assert.Contains($"\n{roots,7} ", File.ReadAllText(m.PathOf("checkpointable")), StringComparison.Ordinal);
        }
        finally
        {
            nobody.Kill();
            nobody.WaitForExit(10_000);
        }
    }

    [SkippableFact]
    public void WithoutAllowOtherOnlyTheMountingUserEnters()
    {
        using var m = new MountedFileSystem();
        using var nobody = StartNobodySleeper();
        try
        {
            var ls = AsNobody("ls", m.PathOf(nobody.Id.ToString()));
            Assert.NotEqual(0, ls.ExitCode);
            Assert.Contains("Permission denied", ls.Stderr, StringComparison.Ordinal);
            Assert.True(Directory.Exists(m.PathOf(nobody.Id.ToString())));
        }
        finally
        {
            nobody.Kill();
            nobody.WaitForExit(10_000);
        }
    }
}
