namespace Checkpointable.Rules.Locks;

/// <summary>L1 (file-lock.c:110): any flock, POSIX, OFD lock or lease held in the tree needs --file-locks.</summary>
public sealed class FileLockRule : IRule
{
    public string Name => nameof(FileLockRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            foreach (var fd in p.Fds)
            {
                if (fd.Info is { Locks.Count: > 0 } info)
                {
                    string kinds = string.Join(", ", info.Locks.Select(Describe).Distinct(StringComparer.Ordinal));
                    c.Report("L1", Subsystem.Locks, p, RuleContext.Fd(fd.Fd), $"{fd.Link} holds {kinds}",
                        "Some file locks are hold by dumping tasks! You can try --file-locks to dump them. (criu/file-lock.c:110)",
                        lift: ["--file-locks"], liftedNow: c.Options.FileLocks, fd: fd.Fd);
                }
            }
        }
    }

    /// <summary>"1: FLOCK  ADVISORY  WRITE 1234 08:01:567 0 EOF" → "a FLOCK WRITE lock".</summary>
    private static string Describe(string line)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return f.Length >= 4 ? $"a {f[1]} {f[3]} {(f[1] == "LEASE" ? "lease" : "lock")}" : "a lock";
    }
}
