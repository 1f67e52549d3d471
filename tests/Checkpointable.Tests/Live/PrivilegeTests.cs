using Checkpointable.Model;
using Checkpointable.Options;
using Checkpointable.Rules;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Live;

/// <summary>
/// H-RLIM and H-CAP against real trees: processes whose ids differ from criu's, judged for criu with and without
/// CAP_SYS_RESOURCE (--criu-caps), and for the checker's own set (whatever this host gives root).
/// Checked with criu 4.2 as root without CAP_SYS_RESOURCE: uid-nobody, gid-nobody and child-uid-nobody fail with
/// "Can't get rlimit 0: Operation not permitted"; thread-uid-nobody and sleep are dumped.
/// </summary>
public class PrivilegeTests(ITestOutputHelper output)
{
    private static readonly CriuCaps s_withoutSysResource = CriuCaps.Parse("all,-sys_resource");
    private static readonly CriuCaps s_all = CriuCaps.Parse("all");

    [SkippableTheory]
    [InlineData("uid-nobody")]
    [InlineData("gid-nobody")]
    [InlineData("child-uid-nobody")]
    public void OtherIdsBlockWithoutSysResource(string factory)
    {
        using var subject = Subject.StartOrSkip(factory);
        var j = LiveJudge.Run(subject.RootPid, [], s_withoutSysResource);
        output.WriteLine(LiveJudge.Describe(j));
        Assert.Equal(Verdict.NotCheckpointable, j.Verdict);
        var f = Assert.Single(j.Findings, f => f.RuleId == "H-RLIM");
        Assert.True(f.Blocks);
        Assert.Empty(f.Lift);
        Assert.Contains("65534", f.Reason, StringComparison.Ordinal);
        Assert.Contains("criu without CAP_SYS_RESOURCE cannot read its rlimits (prlimit64: EPERM)", f.Reason, StringComparison.Ordinal);
        Assert.Contains("cr-dump.c:388", f.CriuMessage, StringComparison.Ordinal);
        Assert.Null(j.MissingOptions); // no command is promised
        Assert.DoesNotContain("criu dump -t", LiveJudge.Describe(j), StringComparison.Ordinal);
        if (factory == "child-uid-nobody")
        {
            Assert.NotEqual(subject.RootPid, f.Pid);
        }
    }

    [SkippableTheory]
    [InlineData("uid-nobody")]
    [InlineData("gid-nobody")]
    [InlineData("child-uid-nobody")]
    public void OtherIdsPassWithSysResource(string factory)
    {
        using var subject = Subject.StartOrSkip(factory);
        var j = LiveJudge.Run(subject.RootPid, [], s_all);
        output.WriteLine(LiveJudge.Describe(j));
        Assert.DoesNotContain(j.Findings, f => f.RuleId == "H-RLIM");
        Assert.Equal(Verdict.Checkpointable, j.Verdict);
    }

    [SkippableTheory]
    [InlineData("uid-nobody")]
    [InlineData("sleep")]
    public void TheCheckersOwnSetIsTheDefault(string factory)
    {
        using var subject = Subject.StartOrSkip(factory);
        var j = LiveJudge.Run(subject.RootPid, []);
        output.WriteLine(LiveJudge.Describe(j));
        Assert.Equal(PrivilegeSource.Checker, j.Criu.Source);
        bool blocked = factory != "sleep" && !LiveJudge.Host.CheckerPrivileges.Has(Capability.SysResource);
        Assert.Equal(blocked, j.Findings.Any(f => f.RuleId == "H-RLIM"));
    }

    [SkippableTheory]
    [InlineData("sleep")] // same uid and gid as criu
    [InlineData("thread-uid-nobody")] // prlimit64 takes the leader's pid: another thread's uid does not count
    [InlineData("zombie-child")] // zombies are not dumped through dump_task_core_all
    public void SameIdsOrOnlyAThreadDifferingPass(string factory)
    {
        using var subject = Subject.StartOrSkip(factory);
        var j = LiveJudge.Run(subject.RootPid, [], s_withoutSysResource);
        output.WriteLine(LiveJudge.Describe(j));
        Assert.DoesNotContain(j.Findings, f => f.RuleId == "H-RLIM");
        Assert.Equal(Verdict.Checkpointable, j.Verdict);
    }

    [SkippableFact]
    public void NeitherSysAdminNorCheckpointRestoreBlocksWithNoOption()
    {
        using var subject = Subject.StartOrSkip("sleep");
        foreach (var options in new[] { Array.Empty<string>(), ["--unprivileged"] })
        {
            var j = LiveJudge.Run(subject.RootPid, options, CriuCaps.Parse("all,-sys_admin,-checkpoint_restore"));
            output.WriteLine(LiveJudge.Describe(j));
            var f = Assert.Single(j.Findings, f => f.RuleId == "H-CAP");
            Assert.True(f.Blocks);
            Assert.Empty(f.Lift);
            Assert.Contains("CRIU needs to have the CAP_SYS_ADMIN or the CAP_CHECKPOINT_RESTORE capability", f.CriuMessage, StringComparison.Ordinal);
            Assert.Null(j.MissingOptions);
        }
    }

    [SkippableFact]
    public void RootWithCheckpointRestoreButNotSysAdminNeedsUnprivileged()
    {
        Skip.IfNot(LiveJudge.Host.CriuHasNftables, "the netns probe exists only in a criu built with libnftables (kerndat.c:1633)");
        using var subject = Subject.StartOrSkip("sleep");
        var caps = CriuCaps.Parse("all,-sys_admin");
        var j = LiveJudge.Run(subject.RootPid, [], caps);
        output.WriteLine(LiveJudge.Describe(j));
        var f = Assert.Single(j.Findings, f => f.RuleId == "H-CAP");
        Assert.True(f.Blocks);
        Assert.Equal(["--unprivileged"], f.Lift);
        Assert.Equal(["--unprivileged"], j.MissingOptions);

        var lifted = LiveJudge.Run(subject.RootPid, ["--unprivileged"], caps);
        Assert.Equal(Verdict.Checkpointable, lifted.Verdict);
    }

    [SkippableFact]
    public void FullRootHasNoPrivilegeFinding()
    {
        using var subject = Subject.StartOrSkip("uid-nobody");
        var j = LiveJudge.Run(subject.RootPid, [], CriuCaps.Parse("root"));
        Assert.DoesNotContain(j.Findings, f => f.RuleId is "H-RLIM" or "H-CAP" or "H-ROOT");
    }

}
