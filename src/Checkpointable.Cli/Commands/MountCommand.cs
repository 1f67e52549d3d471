using System.Runtime.InteropServices;
using Checkpointable.Mount;
using Checkpointable.Options;
using Checkpointable.Predict;

namespace Checkpointable.Cli.Commands;

/// <summary>
/// `checkpointable mount DIR [--allow-other] [--daemon] [criu options]`: serves DIR/PID/checkpointable,
/// DIR/PID/fdinfo/N, DIR/PID/reasons, DIR/PID/checkpointable.json and DIR/checkpointable through FUSE, each
/// computed when opened. Foreground until SIGINT, SIGTERM or `fusermount3 -u DIR`.
/// </summary>
public static class MountCommand
{
    public static int Run(string dir, bool allowOther, bool daemon, IReadOnlyList<string> criuTokens, CriuCaps caps)
    {
        try
        {
            var options = Predictor.Options(criuTokens, caps); // bad criu options fail here, before anything is mounted
            string mountPoint = MountPreflight.Check(dir);
            if (daemon)
            {
                var childArgs = Environment.GetCommandLineArgs().Skip(1).Where(a => a != "--daemon").ToList();
                return MountDaemon.Start(childArgs, Console.Error);
            }

            bool detached = MountDaemon.IsDetachedChild;
            if (detached)
            {
                MountDaemon.LeaveSession();
            }

            var fs = new MountFileSystem(new MountContent(options, criuTokens))
            {
                Log = message => Console.Error.WriteLine($"checkpointable: {message}"),
            };
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
            FuseHost.Run(fs, mountPoint, allowOther, onMounted: () =>
            {
                Console.Error.WriteLine($"{MountDaemon.ReadyPrefix}{mountPoint}; unmount with `fusermount3 -u {mountPoint}`, SIGINT or SIGTERM");
                Console.Error.Flush();
                if (detached)
                {
                    MountDaemon.DetachStandardStreams();
                }
            });
            return ExitCodes.Checkpointable;
        }
        catch (MountException e)
        {
            throw new UserFacingException(e.Message);
        }
    }

    private static void Stop(PosixSignalContext context)
    {
        context.Cancel = true; // unmount and let the loop end, instead of the runtime's default termination
        FuseHost.RequestStop();
    }
}
