using Checkpointable.Options;
using Checkpointable.Probes;
using Checkpointable.Rules;
using Checkpointable.Tests.Live;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Containers;

/// <summary>
/// runc's RPC-only orphan_pts_master (criu/tty.c tty_verify_active_pairs): one pty slave whose master is
/// outside the tree is accepted, as for a `podman run -t` container whose console master conmon holds; two are not.
/// </summary>
public class OrphanPtsMasterTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("pty-slave-external", false, Verdict.NotCheckpointable)]
    [InlineData("pty-slave-external", true, Verdict.Checkpointable)]
    [InlineData("pty-two-slaves-external", false, Verdict.NotCheckpointable)]
    [InlineData("pty-two-slaves-external", true, Verdict.NotCheckpointable)]
    [InlineData("pty-pair", true, Verdict.Checkpointable)]
    public void OneExternalSlaveIsAcceptedWithOrphanPtsMaster(string factory, bool orphanPtsMaster, Verdict expected)
    {
        using var s = Subject.Start(factory);
        var options = CriuOptionParser.Effective(["--no-default-config"]);
        options.OrphanPtsMaster = orphanPtsMaster;
        var j = Judge.Run(Collector.CollectTree(s.RootPid, LiveJudge.Host), s.RootPid, options);
        output.WriteLine(LiveJudge.Describe(j));
        Assert.Equal(expected, j.Verdict);
        var tty3 = j.Findings.Where(f => f.RuleId == "TTY3").ToList();
        Assert.Equal(factory == "pty-pair" ? 0 : factory == "pty-slave-external" ? 1 : 2, tty3.Count);
        if (factory == "pty-two-slaves-external" && orphanPtsMaster)
        {
            // The first is accepted, the second refused as criu does: "Only one slave external peer is allowed".
            Assert.Single(tty3, f => f.Lifted);
            Assert.Contains(tty3, f => f.Blocks && f.CriuMessage!.Contains("Only one slave external peer", StringComparison.Ordinal));
        }
    }
}
