namespace Checkpointable.Mount;

/// <summary>
/// What the access check needs of a process: its ids from /proc/PID/status (real, effective, saved and fs uid
/// and gid, and whether it is a process rather than a thread) and the owner of /proc/PID.
/// </summary>
public sealed record ProcessCredentials(int Tgid, int Pid, uint[] Uids, uint[] Gids, uint ProcOwner)
{
    public bool IsProcess => Tgid == Pid;

    /// <summary>
    /// An approximation of the kernel's ptrace_may_access(PTRACE_MODE_READ_FSCREDS), the check behind reading
    /// /proc/PID/fd: root (taken as CAP_SYS_PTRACE) may; anyone else only if the caller's fsuid equals the
    /// target's real, effective and saved uid, its fsgid equals the real, effective and saved gid, and the target
    /// is dumpable. Dumpability is not in /proc; the kernel makes /proc/PID owned by root when a process is not
    /// dumpable, so an owner other than the caller stands for "not dumpable". Not modelled: capabilities other
    /// than being root, user namespaces, supplementary groups and LSMs (Yama does not restrict READ mode).
    /// </summary>
    public bool MayBeReadBy(Caller caller) =>
        caller.IsRoot
        || (Uids.Length >= 3 && Gids.Length >= 3
            && Uids[0] == caller.Uid && Uids[1] == caller.Uid && Uids[2] == caller.Uid
            && Gids[0] == caller.Gid && Gids[1] == caller.Gid && Gids[2] == caller.Gid
            && ProcOwner == caller.Uid);

    /// <summary>Parses the Tgid, Pid, Uid and Gid lines of /proc/PID/status; null when one is missing or malformed.</summary>
    public static ProcessCredentials? Parse(string status, uint procOwner)
    {
        int tgid = -1, pid = -1;
        uint[]? uids = null, gids = null;
        foreach (var line in status.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var value = line[(colon + 1)..];
            switch (line[..colon])
            {
                case "Tgid": tgid = ParseInt(value); break;
                case "Pid": pid = ParseInt(value); break;
                case "Uid": uids = ParseIds(value); break;
                case "Gid": gids = ParseIds(value); break;
            }
        }

        return tgid > 0 && pid > 0 && uids is { Length: 4 } && gids is { Length: 4 }
            ? new ProcessCredentials(tgid, pid, uids, gids, procOwner)
            : null;
    }

    private static int ParseInt(string s) => int.TryParse(s.Trim(), out int v) && v > 0 ? v : -1;

    private static uint[]? ParseIds(string s)
    {
        var fields = s.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        var ids = new uint[fields.Length];
        for (int i = 0; i < fields.Length; i++)
        {
            if (!uint.TryParse(fields[i], out ids[i]))
            {
                return null;
            }
        }

        return ids;
    }
}
