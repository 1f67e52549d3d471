using Checkpointable.Model;
using Checkpointable.Options;

namespace Checkpointable.Rules;

/// <summary>Applies the rule catalogue to one tree of a snapshot. Pure: the same inputs give the same judgement.</summary>
public static class Judge
{
    public static Judgement Run(Snapshot snapshot, int root, CriuOptions options, IReadOnlyList<IRule>? rules = null)
    {
        var tree = ProcessTree.Of(root, snapshot.Processes);
        var context = new RuleContext(snapshot, tree, options);
        foreach (var rule in rules ?? RuleCatalog.All)
        {
            rule.Evaluate(context);
        }

        var findings = context.Findings;
        var verdict = findings.Any(f => f.Blocks)
            ? Verdict.NotCheckpointable
            : findings.Any(f => f.Severity == Severity.Unknown && !f.Lifted) ? Verdict.Undecided : Verdict.Checkpointable;

        IReadOnlyList<string>? missing = null;
        var blockers = findings.Where(f => f.Blocks).ToList();
        if (blockers.All(f => f.Lift.Count > 0))
        {
            missing = blockers.SelectMany(f => f.Lift).Distinct(StringComparer.Ordinal).ToList();
        }

        return new Judgement
        {
            Snapshot = snapshot,
            Tree = tree,
            Options = options,
            Findings = findings,
            Verdict = verdict,
            MissingOptions = missing,
        };
    }
}
