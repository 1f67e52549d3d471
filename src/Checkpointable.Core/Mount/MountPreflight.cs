using Checkpointable.Interop;

namespace Checkpointable.Mount;

/// <summary>Checks made before mounting, each failing with the one line that says what to do.</summary>
public static class MountPreflight
{
    public const string FsType = "fuse.checkpointable";

    /// <summary>The absolute mount point, or a <see cref="MountException"/> saying why DIR cannot be mounted on.</summary>
    public static string Check(string dir)
    {
        if (!Fuse.IsAvailable())
        {
            throw new MountException($"libfuse3 is not installed ({Fuse.Library} not found): apt-get install fuse3 libfuse3-3");
        }

        string full = Path.GetFullPath(dir);
        int rc = Fuse.Stat(full, out _, out uint mode);
        if (rc == Fuse.ENOTCONN)
        {
            throw new MountException($"{dir} is a stale checkpointable mount (the daemon died): run `fusermount3 -u {dir}`");
        }

        if (rc != 0)
        {
            throw new MountException($"cannot mount on {dir}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(rc)}");
        }

        if ((mode & 0xF000) != Fuse.S_IFDIR)
        {
            throw new MountException($"cannot mount on {dir}: not a directory");
        }

        if (IsMountedHere(full))
        {
            throw new MountException($"{dir} is already a checkpointable mount: unmount it first with `fusermount3 -u {dir}`");
        }

        if (!File.Exists("/dev/fuse"))
        {
            throw new MountException("/dev/fuse is missing: load the fuse module (modprobe fuse)");
        }

        return full;
    }

    /// <summary>Whether a checkpointable mount sits on <paramref name="mountPoint"/> (an absolute path) in our mount table.</summary>
    public static bool IsMountedHere(string mountPoint)
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
            var fields = line.Split(' ');
            int dash = Array.IndexOf(fields, "-");
            if (fields.Length > 4 && dash > 0 && dash + 1 < fields.Length
                && Unescape(fields[4]) == mountPoint && fields[dash + 1] == FsType)
            {
                return true;
            }
        }

        return false;
    }

    private static string Unescape(string s) => s.Replace("\\040", " ", StringComparison.Ordinal)
        .Replace("\\011", "\t", StringComparison.Ordinal).Replace("\\012", "\n", StringComparison.Ordinal)
        .Replace("\\134", "\\", StringComparison.Ordinal);
}
