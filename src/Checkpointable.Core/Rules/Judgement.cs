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

    /// <summary>The seed's flag: 1 unless some blocking finding of that subsystem belongs to the process.</summary>
    public bool IsCheckpointable(int pid, Subsystem subsystem) =>
        !Findings.Any(f => f.Pid == pid && f.Subsystem == subsystem && f.Blocks);

    public IEnumerable<Finding> For(int pid) => Findings.Where(f => f.Pid == pid);

    public IEnumerable<Finding> ForFd(int pid, int fd) => Findings.Where(f => f.Pid == pid && f.Fd == fd);
}
