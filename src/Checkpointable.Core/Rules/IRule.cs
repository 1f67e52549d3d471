namespace Checkpointable.Rules;

/// <summary>A pure check of a snapshot against one of criu's dump refusals. No I/O.</summary>
public interface IRule
{
    /// <summary>The rule family name, e.g. "UnixSocketRule"; each finding carries its own catalogue id.</summary>
    string Name { get; }

    void Evaluate(RuleContext context);
}
