using Checkpointable.Model;
using Checkpointable.Options;
using Checkpointable.Rules;

namespace Checkpointable.Tests.Watch;

/// <summary>Judgements built by hand (no /proc): a tree of given pids and given findings, for the pure differ.</summary>
internal static class Synthetic
{
    private static readonly HostFacts s_host = new()
    {
        CheckerLineage = new HashSet<int>(),
        CheckerPid = 1,
        CheckerNamespaces = new NamespaceSet(),
        IsRoot = true,
        Tools = new HashSet<string>(),
    };

    /// <summary>Pids in tree order, root first; every later pid a child of the root.</summary>
    public static Judgement Judgement(int[] pids, params Finding[] findings)
    {
        var processes = pids.ToDictionary(p => p, p => new ProcessSnapshot
        {
            Pid = p,
            Stat = new ProcStat(p, $"p{p}", 'S', p == pids[0] ? 1 : pids[0], p, p, default, 0, 0, 0, 0, 0, 0),
            Children = p == pids[0] ? pids.Skip(1).ToList() : [],
        });
        var snapshot = new Snapshot
        {
            Host = s_host,
            Processes = processes,
            Sockets = new Dictionary<ulong, SocketTable>(),
            Mounts = new Dictionary<ulong, MountTable>(),
        };
        var verdict = findings.Any(f => f.Blocks) ? Verdict.NotCheckpointable
            : findings.Any(f => f.Severity == Severity.Unknown) ? Verdict.Undecided : Verdict.Checkpointable;
        return new Judgement
        {
            Snapshot = snapshot,
            Tree = ProcessTree.Of(pids[0], processes),
            Options = new CriuOptions(),
            Findings = findings,
            Verdict = verdict,
        };
    }

    public static Finding Tcp(int pid, int fd, bool lifted = false) => new()
    {
        RuleId = "I2",
        Subsystem = Subsystem.Sockets,
        Pid = pid,
        Fd = fd,
        Resource = $"fd {fd}",
        Reason = $"TCP connection on fd {fd}",
        Lift = ["--tcp-established"],
        Lifted = lifted,
    };

    public static Finding Flock(int pid, int fd) => new()
    {
        RuleId = "L1",
        Subsystem = Subsystem.Locks,
        Pid = pid,
        Fd = fd,
        Resource = $"fd {fd}",
        Reason = "holds a FLOCK WRITE lock",
        Lift = ["--file-locks"],
    };

    public static Finding Unknown(int pid) => new()
    {
        RuleId = "H-EVIDENCE",
        Subsystem = Subsystem.Host,
        Pid = pid,
        Resource = "process",
        Reason = "permission denied",
        Severity = Severity.Unknown,
    };
}
