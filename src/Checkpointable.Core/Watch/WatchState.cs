using Checkpointable.Rules;

namespace Checkpointable.Watch;

/// <summary>
/// What a watch remembers of one judgement: the tree's members, the verdict, each member's subsystem flags and
/// the blocking findings. Small and pure, so the differ can be tested on synthetic judgements.
/// </summary>
public sealed class WatchState
{
    public required int Root { get; init; }

    /// <summary>1 checkpointable, 0 not, -1 undecided.</summary>
    public required int Verdict { get; init; }

    /// <summary>Pid to command name, root first.</summary>
    public required IReadOnlyDictionary<int, string> Members { get; init; }

    /// <summary>The subsystems that are 0 (blocked), per member; every other (pid, subsystem) is 1.</summary>
    public required IReadOnlySet<(int Pid, Subsystem Subsystem)> Blocked { get; init; }

    public required IReadOnlyDictionary<FindingKey, Finding> Blockers { get; init; }

    /// <summary>How many processes the judged tree had (with ownOnly, more than <see cref="Members"/>).</summary>
    public int TreeSize { get; init; }

    /// <summary>
    /// The state of a judgement. <paramref name="ownOnly"/> keeps only the root's own processes and findings:
    /// watching the host judges each process as the root of its tree, and its descendants have their own rows.
    /// </summary>
    public static WatchState Of(Judgement j, bool ownOnly = false)
    {
        var members = new Dictionary<int, string>();
        foreach (int pid in j.Tree.Members)
        {
            if (ownOnly && pid != j.Tree.Root)
            {
                continue;
            }

            if (j.Snapshot.Processes.TryGetValue(pid, out var p) && !p.Gone)
            {
                members[pid] = p.Comm;
            }
        }

        var blockers = new Dictionary<FindingKey, Finding>();
        var blocked = new HashSet<(int, Subsystem)>();
        foreach (var f in j.Findings)
        {
            if (!f.Blocks || (ownOnly && f.Pid != j.Tree.Root))
            {
                continue;
            }

            blockers.TryAdd(new FindingKey(f.RuleId, f.Pid, f.Resource), f);
            blocked.Add((f.Pid, f.Subsystem));
        }

        return new WatchState
        {
            Root = j.Tree.Root,
            Verdict = Flag(j.Verdict),
            Members = members,
            Blocked = blocked,
            Blockers = blockers,
            TreeSize = j.Tree.Members.Count,
        };
    }

    public static int Flag(Verdict v) => v switch
    {
        Rules.Verdict.Checkpointable => 1,
        Rules.Verdict.NotCheckpointable => 0,
        _ => -1,
    };
}
