using Checkpointable.Model;

namespace Checkpointable.Rules.Files;

/// <summary>
/// §5.5: pipes are dumped with their data, except packet-mode pipes (pipe2(O_DIRECT), pipes.c:490) and
/// more than 1024 distinct pipes/FIFOs with readable ends (pipes.c:416).
/// </summary>
public sealed class PipeRule : IRule
{
    private const int MaxPipes = 1024;

    public string Name => nameof(PipeRule);

    public void Evaluate(RuleContext c)
    {
        var readable = new HashSet<ulong>();
        foreach (var p in c.Processes)
        {
            foreach (var fd in p.Fds.Where(f => f.Kind is FdKind.Pipe or FdKind.Fifo))
            {
                if (fd.Kind == FdKind.Pipe && fd.Info is { IsDirect: true })
                {
                    c.Report("P2", Subsystem.Files, p, RuleContext.Fd(fd.Fd), $"{fd.Link} is in packet mode (O_DIRECT)",
                        "The packetized mode for pipes is not supported yet (criu/pipes.c:490)", fd: fd.Fd);
                }

                if (fd.Info is { AccessMode: 0 or 2, IsPath: false })
                {
                    readable.Add(fd.Kind == FdKind.Pipe ? fd.LinkInode : fd.Stat?.Inode ?? 0);
                }
            }
        }

        if (readable.Count > MaxPipes)
        {
            c.Report("P3", Subsystem.Files, c.Root, "tree", $"{readable.Count} distinct pipes and FIFOs with readable ends (criu keeps at most {MaxPipes})",
                "OOM storing pipe (criu/pipes.c:416)");
        }
    }
}
