using Checkpointable.Interop;

namespace Checkpointable.Mount;

/// <summary>The mount's view of /proc: which processes exist and may be seen by a caller, and their descriptors.</summary>
public static class ProcessDirectory
{
    /// <summary>The credentials of a live process (not a thread id); null when there is no such process.</summary>
    public static ProcessCredentials? Credentials(int pid)
    {
        var buffer = new byte[4096];
        if (Libc.ReadFile($"/proc/{pid}/status", ref buffer, out int length) != 0)
        {
            return null;
        }

        if (Fuse.Stat($"/proc/{pid}", out uint owner, out _) != 0)
        {
            return null;
        }

        var creds = ProcessCredentials.Parse(System.Text.Encoding.UTF8.GetString(buffer, 0, length), owner);
        return creds is { IsProcess: true } ? creds : null;
    }

    /// <summary>Whether <paramref name="pid"/> is a live process the caller could list the descriptors of.</summary>
    public static bool IsVisible(int pid, Caller caller) => Credentials(pid)?.MayBeReadBy(caller) == true;

    /// <summary>Every process in /proc the caller may see, in ascending order.</summary>
    public static List<int> VisibleProcesses(Caller caller)
    {
        var pids = new List<int>();
        Libc.ListNumbers("/proc", pids);
        pids.Sort();
        return caller.IsRoot ? pids : pids.Where(p => IsVisible(p, caller)).ToList();
    }

    /// <summary>The open descriptors of a process, ascending; empty when it is gone.</summary>
    public static List<int> Descriptors(int pid)
    {
        var fds = new List<int>();
        Libc.ListNumbers($"/proc/{pid}/fd", fds);
        fds.Sort();
        return fds;
    }

    public static bool HasDescriptor(int pid, int fd) => Libc.ReadLink($"/proc/{pid}/fd/{fd}", out _) == 0;
}
