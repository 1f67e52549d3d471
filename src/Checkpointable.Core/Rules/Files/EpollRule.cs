using Checkpointable.Model;

namespace Checkpointable.Rules.Files;

/// <summary>
/// E2 (eventpoll.c): every file an epoll watches must still be open in the epoll's own process, at the
/// watched fd number or as a dup. criu checks with kcmp(KCMP_EPOLL_TFD); here the tfd's inode and
/// device from fdinfo are matched against the process's fds (criu-dump-rules.md §13.2).
/// </summary>
public sealed class EpollRule : IRule
{
    public string Name => nameof(EpollRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            foreach (var fd in p.Fds.Where(f => f.Link == "anon_inode:[eventpoll]" && f.Info is not null))
            {
                if (fd.EscapedEpollTargets is { } exact)
                {
                    if (exact.Count > 0)
                    {
                        c.Report("E2", Subsystem.Files, p, RuleContext.Fd(fd.Fd),
                            $"epoll watches fd {string.Join(", ", exact)}, whose file is no longer open in this process (another process keeps it alive)",
                            "Dump eventpoll (pid: %d) failed with %d (criu/cr-dump.c:1703)", fd: fd.Fd);
                    }

                    continue;
                }

                foreach (var t in fd.Info!.EpollTargets)
                {
                    if (!IsOpen(p, t))
                    {
                        c.Report("E2", Subsystem.Files, p, RuleContext.Fd(fd.Fd),
                            $"epoll watches fd {t.Fd} (inode {t.Inode}), which is no longer open in this process (another process keeps the file alive)",
                            "Dump eventpoll (pid: %d) failed with %d (criu/cr-dump.c:1703)", fd: fd.Fd, certainty: Certainty.Likely);
                        break;
                    }
                }
            }
        }
    }

    private static bool IsOpen(ProcessSnapshot p, EpollTarget t)
    {
        var same = p.Fds.FirstOrDefault(f => f.Fd == t.Fd);
        if (same is not null && Matches(same, t))
        {
            return true;
        }

        return p.Fds.Any(f => Matches(f, t));
    }

    /// <summary>Files known by stat match on (inode, device); sockets and pipes on the link's inode; anon inodes share one inode, so any anon fd matches.</summary>
    private static bool Matches(FdEntry f, EpollTarget t) => f.Stat is { } st
        ? st.Inode == t.Inode && st.Device == t.Device
        : f.Kind == FdKind.AnonInode || f.LinkInode == t.Inode;
}
