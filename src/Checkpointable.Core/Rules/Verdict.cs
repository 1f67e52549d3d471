namespace Checkpointable.Rules;

/// <summary>The answer for one tree, and the CLI's exit status for it.</summary>
public enum Verdict
{
    Checkpointable = 0,
    NotCheckpointable = 1,
    Undecided = 3,
}
