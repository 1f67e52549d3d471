using Checkpointable.Model;
using Checkpointable.Options;

namespace Checkpointable.Rules;

/// <summary>The verdict on one tree: every finding, the per-process subsystem flags and, where possible, the options that work.</summary>
public sealed class Judgement
{
    public required Snapshot Snapshot { get; init; }

    public required ProcessTree Tree { get; init; }

    public required CriuOptions Options { get; init; }

    public required IReadOnlyList<Finding> Findings { get; init; }

    public required Verdict Verdict { get; init; }

    /// <summary>Options to add to the given ones so that every blocker is lifted; null when some blocker has no option.</summary>
    public IReadOnlyList<string>? MissingOptions { get; init; }

    public IEnumerable<Finding> Blockers => Findings.Where(f => f.Blocks);

    /// <summary>The credentials and capabilities criu was assumed to run with (--criu-caps).</summary>
    public CriuPrivileges Criu => Options.CriuCaps.Resolve(Snapshot.Host);

    /// <summary>Some evidence could not be read: a blocker seen may still stand, but no set of options can be promised.</summary>
    public bool EvidenceMissing => Findings.Any(f => f.Severity == Severity.Unknown && !f.Lifted);

    /// <summary>The seed's flag: 1 unless some blocking finding of that subsystem belongs to the process.</summary>
    public bool IsCheckpointable(int pid, Subsystem subsystem) =>
        !Findings.Any(f => f.Pid == pid && f.Subsystem == subsystem && f.Blocks);

    /// <summary>The seed's flag with the unknown made visible: 0 when blocked, -1 when its evidence could not be read, else 1.</summary>
    public int SubsystemState(int pid, Subsystem subsystem) =>
        !IsCheckpointable(pid, subsystem) ? 0
        : Snapshot.Processes.TryGetValue(pid, out var p) && Host.EvidenceRule.UnreadSubsystems(p).Contains(subsystem) ? -1
        : 1;

    /// <summary>The flag for the whole tree: 0 if any member is blocked in that subsystem, -1 if any is unread, else 1.</summary>
    public int TreeSubsystemState(Subsystem subsystem)
    {
        var states = Tree.Members.Select(pid => SubsystemState(pid, subsystem)).ToList();
        return states.Contains(0) ? 0 : states.Contains(-1) ? -1 : 1;
    }

    public IEnumerable<Finding> For(int pid) => Findings.Where(f => f.Pid == pid);

    public IEnumerable<Finding> ForFd(int pid, int fd) => Findings.Where(f => f.Pid == pid && f.Fd == fd);
}
