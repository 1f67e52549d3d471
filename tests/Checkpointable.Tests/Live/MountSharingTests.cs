using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Live;

/// <summary>
/// M-SHARE and M-EXTBIND (criu/mount.c resolve_shared_mounts, mnt_is_external_bind) on real mount namespaces.
/// The roots have their own mount namespace but map their executable from the launcher's, which criu refuses
/// later (files); these tests look at the mount findings alone, as criu 4.2 meets them first.
/// </summary>
public class MountSharingTests(ITestOutputHelper output)
{
    /// <summary>master:N of the launcher's peer group: criu 4.2 "has unreachable sharing"; mnt[]:m or the mount declared external lift it, --enable-external-masters alone does not.</summary>
    [SkippableFact]
    public void SlaveOfAnOutsidePeerGroupIsRefused()
    {
        using var subject = Subject.StartOrSkip("mnt-slave-unreachable");
        string peer = MountPoint(subject.RootPid, "/peer");
        var j = LiveJudge.Run(subject.RootPid, []);
        output.WriteLine(LiveJudge.Describe(j));
        var share = Assert.Single(j.Findings, f => f.RuleId == "M-SHARE");
        Assert.True(share.Blocks);
        Assert.Equal(["--external mnt[]:m"], share.Lift);
        Assert.Contains(LiveJudge.Run(subject.RootPid, ["--enable-external-masters"]).Findings, f => f.RuleId == "M-SHARE" && f.Blocks);
        Assert.Contains(LiveJudge.Run(subject.RootPid, ["--external", "mnt[]:s"]).Findings, f => f.RuleId == "M-SHARE" && f.Blocks);
        Assert.DoesNotContain(LiveJudge.Run(subject.RootPid, ["--external", "mnt[]:m"]).Findings, f => f.RuleId == "M-SHARE");
        Assert.DoesNotContain(LiveJudge.Run(subject.RootPid, ["--external", "mnt[]", "--enable-external-masters"]).Findings, f => f.RuleId == "M-SHARE");
        Assert.DoesNotContain(LiveJudge.Run(subject.RootPid, ["--external", $"mnt[{peer}]:peer"]).Findings, f => f.RuleId == "M-SHARE");
    }

    /// <summary>shared:N with the launcher's namespace and no master: criu 4.2 passes the sharing check.</summary>
    [SkippableFact]
    public void SharedWithAnOutsidePeerGroupIsAccepted()
    {
        using var subject = Subject.StartOrSkip("mnt-shared-peer");
        var j = LiveJudge.Run(subject.RootPid, []);
        output.WriteLine(LiveJudge.Describe(j));
        Assert.DoesNotContain(j.Findings, f => f.RuleId is "M-SHARE" or "M2" or "M1");
    }

    /// <summary>
    /// Binds of tmpfs sub and sub/deeper without the tmpfs: both lack a root mount (criu 4.2: "sub doesn't have a
    /// proper root mount"); sub declared external makes deeper an external bind too; deeper declared external
    /// leaves sub refused; mnt[] finds neither in criu's namespace.
    /// </summary>
    [SkippableFact]
    public void BindOfAnExternalMountIsExternal()
    {
        using var subject = Subject.StartOrSkip("mnt-bind-of-bind");
        string sub = MountPoint(subject.RootPid, "/sub"), deeper = MountPoint(subject.RootPid, "/deeper");
        var j = LiveJudge.Run(subject.RootPid, []);
        output.WriteLine(LiveJudge.Describe(j));
        Assert.Equal(2, j.Findings.Count(f => f.RuleId == "M2" && f.Blocks));
        Assert.DoesNotContain(LiveJudge.Run(subject.RootPid, ["--external", $"mnt[{sub}]:sub"]).Findings, f => f.RuleId == "M2");
        var onlySub = Assert.Single(LiveJudge.Run(subject.RootPid, ["--external", $"mnt[{deeper}]:deeper"]).Findings, f => f.RuleId == "M2");
        Assert.Equal($"mount {sub}", onlySub.Resource);
        Assert.Equal(2, LiveJudge.Run(subject.RootPid, ["--external", "mnt[]"]).Findings.Count(f => f.RuleId == "M2" && f.Blocks));
    }


    /// <summary>
    /// The mount point in the root's mountinfo under its own temp dir (its cwd) that ends with <paramref name="suffix"/>:
    /// subjects of other tests running at the same time mount their own `peer` in the launcher's namespace, and the
    /// root's namespace is a copy of it.
    /// </summary>
    private static string MountPoint(int pid, string suffix)
    {
        string dir = new DirectoryInfo($"/proc/{pid}/cwd").ResolveLinkTarget(false)?.FullName + "/";
        return File.ReadLines($"/proc/{pid}/mountinfo").Select(l => l.Split(' ')[4])
            .Single(m => m.StartsWith(dir, StringComparison.Ordinal) && m.EndsWith(suffix, StringComparison.Ordinal));
    }
}
