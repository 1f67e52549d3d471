using Checkpointable.Model;

namespace Checkpointable.Rules.Tty;

/// <summary>
/// §5.4 (tty.c): a terminal that is the controlling tty of a session led outside the tree needs
/// --shell-job (TTY2, tty.c:1830); a pty slave whose master is outside needs --shell-job or runc's orphan_pts_master (one at most)
/// or --external tty[…] (TTY3, tty.c:410); /dev/tty without the matching pty fd in the same task is refused
/// whatever the options (TTY5, tty.c:2281); pty indexes above 1000 are refused (TTY6); a terminal on a mount
/// the namespace lacks needs --shell-job (TTY7).
/// </summary>
public sealed class TtyRule : IRule
{
    public string Name => nameof(TtyRule);

    public void Evaluate(RuleContext c)
    {
        var masters = c.Processes.SelectMany(p => p.Fds)
            .Where(f => f.Stat is { IsCharDevice: true } st && TtyDevice.IsPtyMaster(st.RDevice) && f.Info?.TtyIndex is not null)
            .Select(f => f.Info!.TtyIndex!.Value)
            .ToHashSet();
        var externalSlaves = new Dictionary<int, (ProcessSnapshot P, FdEntry Fd)>();
        var dangling = new HashSet<DeviceId>();

        var mounts = c.TreeMounts;
        foreach (var p in c.Processes)
        {
            foreach (var fd in p.Fds)
            {
                if (fd.Stat is not { IsCharDevice: true } st)
                {
                    continue;
                }

                if (TtyDevice.IsTerminal(st.RDevice) && fd.Info is { MountId: >= 0 } info && mounts is not null && !mounts.Contains(info.MountId))
                {
                    // tty.c dumps the tty's path too; --shell-job skips that mount lookup for terminals (TTY7).
                    c.Report("TTY7", Subsystem.Tty, p, RuleContext.Fd(fd.Fd), $"{fd.Link} is on mount {info.MountId}, which is in none of the mount namespaces criu collects for this tree",
                        "Can't lookup mount=%d for fd=%d path=%s (criu/files-reg.c:1790)",
                        lift: ["--shell-job"], liftedNow: c.Options.ShellJob || c.Options.IsExternalTty(st.RDevice, st.Device), fd: fd.Fd);
                }

                var rdev = st.RDevice;
                if (rdev == TtyDevice.DevTty)
                {
                    CheckDevTty(c, p, fd);
                    continue;
                }

                if (TtyDevice.Of(rdev, fd.Info) is not { } tty)
                {
                    continue;
                }

                CheckIndex(c, p, fd, rdev);
                // devpts removes /dev/pts/N when the last master fd closes, so a slave whose link reads
                // "(deleted)" is hung up, which criu accepts (TTY1); otherwise its master is open somewhere.
                if (TtyDevice.IsPtySlave(rdev) && !masters.Contains(TtyDevice.PtsIndex(rdev)) && !fd.PathDeleted)
                {
                    externalSlaves.TryAdd(TtyDevice.PtsIndex(rdev), (p, fd));
                }

                // tty.c: the session criu sees is TIOCGSID on the fd (pie/parasite.c:762): for a slave only when
                // it is the holder's own controlling tty, for a master always (the slave's session). /proc gives a
                // ctty as an rdev only, which every devpts instance reuses, so a master's session is looked up
                // on its own instance; one that may be on another instance is reported as likely only.
                int sid = 0;
                bool sameInstance = true;
                if (TtyDevice.IsPtyMaster(rdev))
                {
                    if (c.Snapshot.TtySessions.Find(tty, DevptsInstance.OfFd(fd, c.Snapshot.MountsOf(p))) is { } s)
                    {
                        (sid, sameInstance) = (s.Session, s.SameInstance);
                    }
                }
                else if (p.Stat!.ControllingTty == tty)
                {
                    sid = p.Stat.Session;
                }

                bool leaderInTree = sid != 0 && c.Tree.Contains(sid) && c.Snapshot.Processes[sid].Stat?.Session == sid;
                if (sid != 0 && !leaderInTree && dangling.Add(tty))
                {
                    c.Report("TTY2", Subsystem.Tty, p, RuleContext.Fd(fd.Fd),
                        $"{fd.Link} is the controlling terminal of session {sid}, whose leader is outside the tree (started from a shell)"
                        + (sameInstance ? string.Empty : $"; {tty} may be another devpts instance's pty of the same number, which /proc cannot tell apart here"),
                        "Found dangling tty with sid %d pgid %d (%s) on peer fd %d. (criu/tty.c:1830)",
                        lift: ["--shell-job"], liftedNow: c.Options.ShellJob, fd: fd.Fd,
                        certainty: sameInstance ? Certainty.Certain : Certainty.Likely);
                }
            }
        }

        ReportExternalSlaves(c, externalSlaves);
    }

    /// <summary>
    /// tty.c tty_verify_active_pairs: an unpaired slave is refused unless --shell-job or the RPC-only
    /// orphan_pts_master (runc sets it for every container) is on; even then only one.
    /// </summary>
    private static void ReportExternalSlaves(RuleContext c, Dictionary<int, (ProcessSnapshot P, FdEntry Fd)> slaves)
    {
        bool oneAllowed = c.Options.ShellJob || c.Options.OrphanPtsMaster;
        int unlifted = 0;
        foreach (var (index, (p, fd)) in slaves.OrderBy(kv => kv.Key))
        {
            var st = fd.Stat!.Value;
            string external = $"--external tty[{st.RDevice.GlibcDevT:x}:{st.Device.GlibcDevT:x}]";
            bool isExternal = c.Options.IsExternalTty(st.RDevice, st.Device);
            bool byOneAllowed = oneAllowed && !isExternal && unlifted++ == 0;
            string allowedBy = c.Options.ShellJob ? "--shell-job" : "orphan_pts_master";
            c.Report("TTY3", Subsystem.Tty, p, RuleContext.Fd(fd.Fd),
                $"{fd.Link} (pts {index}) is held without its master, which is outside the tree (a terminal emulator, sshd, tmux, a container's console){(oneAllowed && !byOneAllowed && !isExternal ? $"; {allowedBy} allows only one such terminal" : string.Empty)}",
                oneAllowed && !byOneAllowed
                    ? "Only one slave external peer is allowed (index %d) (criu/tty.c:419)"
                    : "Found slave peer index %d without correspond master peer (criu/tty.c:410)",
                lift: slaves.Count == 1 ? ["--shell-job"] : [external], liftedNow: isExternal || byOneAllowed, fd: fd.Fd);
        }
    }

    private static void CheckIndex(RuleContext c, ProcessSnapshot p, FdEntry fd, DeviceId rdev)
    {
        int index = TtyDevice.IsPtySlave(rdev) ? TtyDevice.PtsIndex(rdev) : fd.Info?.TtyIndex ?? 0;
        if ((TtyDevice.IsPtySlave(rdev) || TtyDevice.IsPtyMaster(rdev)) && index > 1000)
        {
            c.Report("TTY6", Subsystem.Tty, p, RuleContext.Fd(fd.Fd), $"pty index {index} is above criu's limit of 1000",
                "Index %d on pts is too big (criu/tty.c:271)", fd: fd.Fd);
        }
    }

    /// <summary>tty_verify_ctty: the task holding /dev/tty must hold a pty whose session and foreground group are its session.</summary>
    private static void CheckDevTty(RuleContext c, ProcessSnapshot p, FdEntry fd)
    {
        var st = p.Stat!;
        bool paired = st.HasControllingTty && st.ForegroundGroup == st.Session && p.Fds.Any(f =>
            f.Stat is { IsCharDevice: true } s && (TtyDevice.IsPtySlave(s.RDevice) || TtyDevice.IsPtyMaster(s.RDevice))
            && TtyDevice.Of(s.RDevice, f.Info) == st.ControllingTty);
        if (!paired)
        {
            c.Report("TTY5", Subsystem.Tty, p, RuleContext.Fd(fd.Fd),
                "/dev/tty is open but this process holds no pty fd of its controlling terminal with the session in the foreground; no option helps",
                "ctty inheritance detected sid/pgrp %d, no PTY peer with sid/pgrp needed (criu/tty.c:2281)", fd: fd.Fd);
        }
    }
}
