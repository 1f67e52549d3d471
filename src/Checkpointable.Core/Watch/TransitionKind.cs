namespace Checkpointable.Watch;

/// <summary>What changed between two looks at a tree (or the host).</summary>
public enum TransitionKind
{
    /// <summary>The first look: the state watching starts from.</summary>
    Started,

    /// <summary>A process joined the watched tree (or, watching the host, appeared).</summary>
    Appeared,

    /// <summary>A process left the watched tree (exited or was reparented away).</summary>
    Exited,

    /// <summary>One resource (rule + pid + resource) started or stopped blocking the dump.</summary>
    Resource,

    /// <summary>One seed subsystem flag of one process changed.</summary>
    Subsystem,

    /// <summary>The verdict on the whole tree changed.</summary>
    Tree,
}
