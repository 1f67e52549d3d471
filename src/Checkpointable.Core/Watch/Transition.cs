using Checkpointable.Rules;

namespace Checkpointable.Watch;

/// <summary>
/// One change seen by a watch. <see cref="From"/> and <see cref="To"/> are the seed's flags: 1 checkpointable,
/// 0 not, -1 undecided; <see cref="From"/> is null for the starting state.
/// </summary>
public sealed record Transition
{
    public required DateTimeOffset At { get; init; }

    public required TransitionKind Kind { get; init; }

    /// <summary>The root of the tree this is about (watching the host: each process is the root of its own tree).</summary>
    public required int Root { get; init; }

    /// <summary>The process the change belongs to (the root for tree verdicts).</summary>
    public required int Pid { get; init; }

    public string? Comm { get; init; }

    public Subsystem? Subsystem { get; init; }

    /// <summary>The rule id of a resource transition (I2, L1, …).</summary>
    public string? RuleId { get; init; }

    /// <summary>"fd 3", "process", "tree", … as the findings name it.</summary>
    public string? Resource { get; init; }

    public int? Fd { get; init; }

    public int? From { get; init; }

    public int? To { get; init; }

    /// <summary>Why: the finding's reason (for a resource going 0 -> 1, what it was), or a verdict summary.</summary>
    public string? Reason { get; init; }

    /// <summary>criu options that would lift a blocking resource.</summary>
    public IReadOnlyList<string> Lift { get; init; } = [];
}
