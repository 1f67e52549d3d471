using Checkpointable.Options;
using Checkpointable.Probes;
using Checkpointable.Rules;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Live;

/// <summary>
/// M-HUGE2: files on the kernel's internal hugetlbfs are memory to criu (proc_parse.c is_hugetlb_dev), as long as
/// criu can find that mount's device by mapping a free huge page (kerndat.c:318). Checked against criu 4.2 here:
/// hugetlb-anon and hugetlb-memfd dump (exit 0) with a page left free and fail with "Can't lookup mount=18 …
/// /anon_hugepage (deleted)" without one; hugetlb-sysv fails as any SysV shm in the host IPC namespace (cr-dump.c:477).
/// </summary>
public class HugetlbTests(ITestOutputHelper output)
{
    /// <summary>The pages each factory maps (subject.c: one or two 2 MiB pages).</summary>
    public static TheoryData<string, int, int, string?> WithAPageFree => new()
    {
        { "hugetlb-anon", 2, 0, null },
        { "hugetlb-memfd", 1, 0, null },
        { "hugetlb-sysv", 1, 1, "M-SYSV" },
    };

    [SkippableTheory]
    [MemberData(nameof(WithAPageFree))]
    public void HugetlbFilesAreMemory(string factory, int pages, int expected, string? rule)
    {
        using var pool = ReservePool(pages + 1); // one more for criu's own probe mapping
        using var subject = Subject.StartOrSkip(factory);
        var j = JudgeNow(subject.RootPid);
        output.WriteLine(LiveJudge.Describe(j));
        Assert.Equal(expected, (int)j.Verdict);
        Assert.DoesNotContain(j.Findings, f => f.RuleId is "M-MNT" or "M-DEL" or "F-REG1" or "F-REG3" or "M-HUGE2");
        if (rule is not null)
        {
            Assert.Contains(j.Findings, f => f.RuleId == rule && f.Blocks);
        }
    }

    [SkippableTheory]
    [InlineData("hugetlb-anon", 2)]
    [InlineData("hugetlb-memfd", 1)]
    public void NoFreePageLeavesCriuBlind(string factory, int pages)
    {
        Skip.If(File.Exists("/run/criu.kdat"), "criu's kerndat cache may hold the hugetlb device from an earlier run");
        using var pool = ReservePool(pages);
        using var subject = Subject.StartOrSkip(factory);
        Skip.If(HugePages.Free != 0, "another process freed or took huge pages meanwhile");
        var j = JudgeNow(subject.RootPid);
        output.WriteLine(LiveJudge.Describe(j));
        Assert.Equal(Verdict.NotCheckpointable, j.Verdict);
        Assert.Contains(j.Findings, f => f.RuleId == "M-HUGE2" && f.Blocks);
    }

    private static HugePages ReservePool(int free)
    {
        Skip.IfNot(LiveJudge.Host.IsRoot, "needs root to size /proc/sys/vm/nr_hugepages");
        Skip.If(LiveJudge.Host.Hugetlb.Count == 0, "no hugetlbfs in this kernel");
        var pool = HugePages.Reserve(free);
        Skip.If(pool is null, $"the kernel would not make {free} huge page(s) free");
        return pool!;
    }


    /// <summary>Host facts read now: which huge pages are free is part of them.</summary>
    private static Judgement JudgeNow(int root) =>
        Judge.Run(Collector.CollectTree(root, HostProbe.Read()), root, CriuOptionParser.Effective(["--no-default-config"]));
}
