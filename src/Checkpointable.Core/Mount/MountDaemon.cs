using System.Diagnostics;
using Checkpointable.Interop;

namespace Checkpointable.Mount;

/// <summary>
/// `mount --daemon`: a .NET process cannot fork safely, so the command starts itself again without --daemon as a
/// detached child (marked by an environment variable), waits for the child's "mounted on" line, and exits.
/// The child leaves the session and points its standard streams at /dev/null once mounted.
/// </summary>
public static class MountDaemon
{
    private const string ChildVariable = "CHECKPOINTABLE_MOUNT_DETACHED";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The line a mount prints on stderr once it is in place; the parent waits for it.</summary>
    public const string ReadyPrefix = "checkpointable: mounted on ";

    public static bool IsDetachedChild => Environment.GetEnvironmentVariable(ChildVariable) == "1";

    /// <summary>In the child: its own session, so that the terminal's signals and hangup do not reach it.</summary>
    public static void LeaveSession() => Fuse.SetSid();

    /// <summary>In the child, once mounted and announced: nothing more to say to the parent's streams.</summary>
    public static void DetachStandardStreams()
    {
        int devNull = Fuse.Open("/dev/null", Fuse.O_RDWR);
        if (devNull < 0)
        {
            return;
        }

        for (int fd = 0; fd <= 2; fd++)
        {
            Fuse.Dup2(devNull, fd);
        }

        if (devNull > 2)
        {
            Fuse.Close(devNull);
        }
    }

    /// <summary>
    /// In the parent: starts the child with <paramref name="childArgs"/>, relays its "mounted on" line with its pid,
    /// and returns 0; or, when the child fails, relays its error lines and returns 2.
    /// </summary>
    public static int Start(IReadOnlyList<string> childArgs, TextWriter stderr)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath ?? "checkpointable")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in childArgs)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment[ChildVariable] = "1";
        using var child = Process.Start(psi) ?? throw new MountException("could not start the mount daemon");
        child.StandardInput.Close();
        var lines = new List<string>();
        var reading = Task.Run(() =>
        {
            while (child.StandardError.ReadLine() is { } line)
            {
                if (line.StartsWith(ReadyPrefix, StringComparison.Ordinal))
                {
                    return line;
                }

                lock (lines)
                {
                    lines.Add(line);
                }
            }

            return null;
        });

        if (!reading.Wait(ReadyTimeout))
        {
            child.Kill();
            throw new MountException($"the mount daemon did not report ready within {ReadyTimeout.TotalSeconds:0} s");
        }

        if (reading.Result is { } ready)
        {
            stderr.WriteLine($"{ready} (daemon pid {child.Id})");
            return 0;
        }

        child.WaitForExit(10_000);
        lock (lines)
        {
            foreach (var line in lines)
            {
                stderr.WriteLine(line);
            }
        }

        return lines.Count == 0 ? throw new MountException("the mount daemon exited without mounting") : 2;
    }
}
