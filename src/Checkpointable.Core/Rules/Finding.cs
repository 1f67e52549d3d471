namespace Checkpointable.Rules;

/// <summary>What a finding means for the dump.</summary>
public enum Severity
{
    /// <summary>criu dump fails (unless <see cref="Finding.Lifted"/>).</summary>
    Blocker,

    /// <summary>criu dump succeeds but loses something or the image cannot be restored.</summary>
    Lossy,

    /// <summary>A state /proc cannot fully see; the dump may fail.</summary>
    Risk,

    /// <summary>The evidence a rule needs could not be read (permission): no verdict is guessed.</summary>
    Unknown,
}

/// <summary>How the fact behind a finding was seen.</summary>
public enum Certainty
{
    /// <summary>The same fact criu checks.</summary>
    Certain,

    /// <summary>A proxy (criu-dump-rules.md §13.2): right in the usual case, not always.</summary>
    Likely,
}

/// <summary>One reason, tied to one process and resource, why a tree can (not) be dumped, and what lifts it.</summary>
public sealed record Finding
{
    /// <summary>Stable id from shared/reference/criu-dump-rules.md (T20, I2, U5, …).</summary>
    public required string RuleId { get; init; }

    public required Subsystem Subsystem { get; init; }

    public required int Pid { get; init; }

    /// <summary>The fd the finding is about, if any (it then belongs in that fd's fdinfo view).</summary>
    public int? Fd { get; init; }

    /// <summary>What was looked at: "fd 3", "mapping 7f12-7f34", "process", "tree".</summary>
    public required string Resource { get; init; }

    /// <summary>What was seen, naming it (path, peer, state, size).</summary>
    public required string Reason { get; init; }

    /// <summary>criu options that, all together, would lift it; empty when no option can.</summary>
    public IReadOnlyList<string> Lift { get; init; } = [];

    /// <summary>True when the effective options already lift it (it is reported, but does not block).</summary>
    public bool Lifted { get; init; }

    public Severity Severity { get; init; } = Severity.Blocker;

    public Certainty Certainty { get; init; } = Certainty.Certain;

    /// <summary>Can change by itself in a moment (a pending connection, unread data): re-check right before dumping.</summary>
    public bool Volatile { get; init; }

    /// <summary>The message criu prints, with its source location.</summary>
    public string? CriuMessage { get; init; }

    public bool Blocks => Severity == Severity.Blocker && !Lifted;
}
