namespace Checkpointable.Model;

/// <summary>Where the credentials and capabilities criu is assumed to run with come from (--criu-caps).</summary>
public enum PrivilegeSource
{
    /// <summary>The checker's own (--criu-caps self, the default): it runs where criu would run.</summary>
    Checker,

    /// <summary>The capabilities given to --criu-caps (all, root, or a list), with the checker's uid and gid unless root.</summary>
    Given,

    /// <summary>The file capabilities (security.capability) of the criu binary on PATH, exec'ed by the checker's uid.</summary>
    CriuFile,
}
