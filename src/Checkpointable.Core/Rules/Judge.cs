using Checkpointable.Model;
using Checkpointable.Options;

namespace Checkpointable.Rules;

/// <summary>Applies the rule catalogue to one tree of a snapshot. Pure: the same inputs give the same judgement.</summary>
public static class Judge
{
    private const int MaxRefinements = 3;

    /// <param name="verifyRemedy">
    /// Judge again with the missing options to prove the suggested command works (one tree); the host table
    /// only needs to know whether every blocker has an option, which the findings already say.
    /// </param>
    public static Judgement Run(Snapshot snapshot, int root, CriuOptions options, IReadOnlyList<IRule>? rules = null, bool verifyRemedy = true)
    {
        rules ??= RuleCatalog.All;
        var tree = ProcessTree.Of(root, snapshot.Processes);
        var findings = Evaluate(snapshot, tree, options, rules);
        var verdict = findings.Any(f => f.Blocks)
            ? Verdict.NotCheckpointable
            : findings.Any(f => f.Severity == Severity.Unknown && !f.Lifted) ? Verdict.Undecided : Verdict.Checkpointable;

        return new Judgement
        {
            Snapshot = snapshot,
            Tree = tree,
            Options = options,
            Findings = findings,
            Verdict = verdict,
            // With evidence missing no command can be promised: what could not be read may hold a blocker no option lifts.
            MissingOptions = verdict != Verdict.NotCheckpointable ? []
                : findings.Any(f => f.Severity == Severity.Unknown && !f.Lifted) ? null
                : verifyRemedy ? MissingOptions(snapshot, tree, options, rules, findings)
                : Lifts(findings.Where(f => f.Blocks).ToList()),
        };
    }

    private static IReadOnlyList<Finding> Evaluate(Snapshot snapshot, ProcessTree tree, CriuOptions options, IReadOnlyList<IRule> rules)
    {
        var context = new RuleContext(snapshot, tree, options);
        foreach (var rule in rules)
        {
            rule.Evaluate(context);
        }

        return context.Findings;
    }

    /// <summary>
    /// The options that lift every blocker, checked by judging again with them: an option can bring its own
    /// requirement (--tcp-established needs a working network lock). Null when some blocker has no option.
    /// </summary>
    private static List<string>? MissingOptions(Snapshot snapshot, ProcessTree tree, CriuOptions options, IReadOnlyList<IRule> rules, IReadOnlyList<Finding> findings)
    {
        var missing = new List<string>();
        for (int i = 0; i < MaxRefinements; i++)
        {
            var blockers = findings.Where(f => f.Blocks).ToList();
            if (blockers.Count == 0)
            {
                return missing;
            }

            if (Lifts(blockers) is not { } lifts)
            {
                return null;
            }

            missing = Fold(missing.Concat(lifts));
            findings = Evaluate(snapshot, tree, options.With(missing), rules);
        }

        return findings.Any(f => f.Blocks) ? null : missing;
    }

    /// <summary>The options the blockers name, or null when one of them has none.</summary>
    private static List<string>? Lifts(List<Finding> blockers) =>
        blockers.All(f => f.Lift.Count > 0) ? Fold(blockers.SelectMany(f => f.Lift)) : null;

    /// <summary>Distinct options; of several --ghost-limit values only the largest.</summary>
    private static List<string> Fold(IEnumerable<string> options)
    {
        var list = options.Distinct(StringComparer.Ordinal).ToList();
        var ghost = list.Where(o => o.StartsWith("--ghost-limit ", StringComparison.Ordinal))
            .OrderByDescending(o => Options.CriuOptionParser.ParseSize(o["--ghost-limit ".Length..]))
            .ToList();
        foreach (var smaller in ghost.Skip(1))
        {
            list.Remove(smaller);
        }

        return list;
    }
}
