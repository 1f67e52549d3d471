namespace Checkpointable.Options;

/// <summary>The set a --criu-caps value starts from, before its +CAP/-CAP changes.</summary>
public enum CriuCapsBase
{
    /// <summary>The checker's own credentials and CapEff (the default: it runs where criu would run).</summary>
    Self,

    /// <summary>The criu on PATH exec'ed by the checker: its file capabilities (security.capability).</summary>
    File,

    /// <summary>Every capability, with the checker's uid and gid.</summary>
    All,

    /// <summary>uid and gid 0 with every capability: `sudo criu` where root keeps its full set.</summary>
    Root,

    /// <summary>No capability, with the checker's uid and gid (a list of names adds to it).</summary>
    None,
}
