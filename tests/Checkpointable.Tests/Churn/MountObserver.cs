using Xunit;

namespace Checkpointable.Tests.Churn;

/// <summary>
/// Reads of the FUSE mount (`checkpointable mount DIR`, one for the whole churn test) beside the churn: the stable
/// trees' seed files must be byte for byte what they were before the churn began, in every read; a churning process's
/// files are content or ENOENT (it exited), never another error (EIO) and never empty; the host table keeps the
/// stable roots' rows.
/// </summary>
internal static class MountObserver
{
    private static int s_runs;

    public static void Read(ChurnScene scene)
    {
        string dir = scene.MountDir;
        Assert.Equal(scene.FlockFlags, File.ReadAllText(Path.Combine(dir, scene.FlockRoot.ToString(), "checkpointable")));
        Assert.Equal(scene.SleepFlags, File.ReadAllText(Path.Combine(dir, scene.SleepRoot.ToString(), "checkpointable")));
        if (ChurningPid(scene) is { } pid)
        {
            string process = Path.Combine(dir, pid);
            ContentOrGone(Path.Combine(process, "checkpointable"));
            ContentOrGone(Path.Combine(process, "reasons"), mayBeEmpty: true);
            ContentOrGone(Path.Combine(process, "checkpointable.json"));
            string[] fds;
            try
            {
                fds = Directory.GetFiles(Path.Combine(process, "fdinfo"));
            }
            catch (DirectoryNotFoundException)
            {
                fds = [];
            }

            foreach (string fd in fds)
            {
                ContentOrGone(fd);
            }
        }

        if (Interlocked.Increment(ref s_runs) % 5 == 1)
        {
            // The host table at the mount's root: a full host scan, so only every fifth run.
            var rows = File.ReadLines(Path.Combine(dir, "checkpointable"))
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length > 1)
                .ToDictionary(f => f[0], f => f[1]);
            Assert.Equal("options", rows.GetValueOrDefault(scene.FlockRoot.ToString()));
            Assert.Equal("yes", rows.GetValueOrDefault(scene.SleepRoot.ToString()));
        }
    }

    private static void ContentOrGone(string path, bool mayBeEmpty = false)
    {
        try
        {
            string text = File.ReadAllText(path);
            Assert.True(mayBeEmpty || text.Length > 0, $"{path}: empty");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // exited between the listing and the read: ENOENT is the answer
        }
        catch (IOException e)
        {
            Assert.Fail($"{path}: {e.GetType().Name} {e.Message} (only ENOENT may answer a process that exits)");
        }
    }

    private static string? ChurningPid(ChurnScene scene)
    {
        try
        {
            var pids = File.ReadAllText($"/proc/{scene.ChurnPid}/task/{scene.ChurnPid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return pids.Length == 0 ? null : pids[Random.Shared.Next(pids.Length)];
        }
        catch (IOException)
        {
            return null; // the load just ended
        }
    }
}
