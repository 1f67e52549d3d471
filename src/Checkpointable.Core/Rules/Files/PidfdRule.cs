using Checkpointable.Model;

namespace Checkpointable.Rules.Files;

/// <summary>F-AN5 (pidfd.c): a pidfd must point to a process of the tree (or to a dead one), and not be a PIDFD_THREAD.</summary>
public sealed class PidfdRule : IRule
{
    public string Name => nameof(PidfdRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            foreach (var fd in p.Fds.Where(f => f.Link == "anon_inode:[pidfd]"))
            {
                if (fd.Info is not { } info)
                {
                    c.Report("F-AN5", Subsystem.Files, p, RuleContext.Fd(fd.Fd), "pidfd whose target could not be read", fd: fd.Fd, severity: Severity.Unknown);
                }
                else if (info.IsExcl)
                {
                    c.Report("F-AN5", Subsystem.Files, p, RuleContext.Fd(fd.Fd), "pidfd opened with PIDFD_THREAD",
                        "PIDFD_THREAD flag is currently not supported (criu/pidfd.c:88)", fd: fd.Fd);
                }
                else if (info.PidfdPid is { } target and > 0 && !c.Tree.Contains(target))
                {
                    c.Report("F-AN5", Subsystem.Files, p, RuleContext.Fd(fd.Fd), $"pidfd of process {target}, which is outside the tree",
                        "pidfd pid %d is not a part of process tree.. (criu/pidfd.c:97)", fd: fd.Fd);
                }
            }
        }
    }
}
