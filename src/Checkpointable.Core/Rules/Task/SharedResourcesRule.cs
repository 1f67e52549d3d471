namespace Checkpointable.Rules.Task;

/// <summary>
/// T16/T17: two processes of the tree sharing an mm (CLONE_VM without CLONE_THREAD) or an fs_struct
/// (CLONE_FS) are refused (cr-dump.c:668, :675). Found exactly with kcmp(2), which needs no attach.
/// </summary>
public sealed class SharedResourcesRule : IRule
{
    public string Name => nameof(SharedResourcesRule);

    public void Evaluate(RuleContext c)
    {
        Check(c, c.Snapshot.SharedVm, "T16", "an address space (CLONE_VM without CLONE_THREAD)", "Can't make VM id for %d (criu/cr-dump.c:668)");
        Check(c, c.Snapshot.SharedFs, "T17", "cwd, root and umask (CLONE_FS)", "Can't make FS id for %d (criu/cr-dump.c:675)");
    }

    private static void Check(RuleContext c, IReadOnlyList<IReadOnlyList<int>> groups, string id, string what, string message)
    {
        foreach (var group in groups)
        {
            var inTree = group.Where(c.Tree.Contains).ToList();
            if (inTree.Count < 2)
            {
                continue;
            }

            var p = c.Snapshot.Processes[inTree[1]];
            c.Report(id, Subsystem.Task, p, "process", $"shares {what} with {string.Join(", ", inTree.Where(x => x != p.Pid))}", message);
        }
    }
}
