using Checkpointable.Model;
using Checkpointable.Options;
using Checkpointable.Probes;
using Checkpointable.Probes.ProcFs;
using Checkpointable.Rules;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Live;

/// <summary>
/// TTY2 asks which session a pty is the controlling tty of; /proc names a ctty by rdev only, and every devpts
/// instance has its own pts/N with the same rdev 136:N (a `podman run -t` container). criu asks the fd itself
/// (TIOCGSID, criu/pie/parasite.c:762), so another instance's session on the same number never counts; a real
/// outside session on the tree's own pty does (tty.c:1830). Judged from a tree scan and from a host scan (watch).
/// </summary>
public class DevptsTwinTests(ITestOutputHelper output)
{
    private static Judgement Judge(int root, bool hostWide, params string[] options)
    {
        var opts = CriuOptionParser.Effective(["--no-default-config", .. options]);
        opts.CriuCaps = CriuCaps.Self;
        var snapshot = hostWide ? Collector.CollectHost(LiveJudge.Host) : Collector.CollectTree(root, LiveJudge.Host);
        return Rules.Judge.Run(snapshot, root, opts);
    }

    /// <summary>Pids outside the tree (not the root) whose controlling tty has this rdev.</summary>
    private static List<int> SessionsOn(DeviceId tty, int root)
    {
        var reader = new ProcReader();
        return (reader.ListNumbers("/proc") ?? []).Where(pid => pid != root
            && reader.ReadText($"/proc/{pid}/stat", record: false) is { } text && StatParser.TryParse(text, out var st)
            && st.ControllingTty == tty).ToList();
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void SamePtsNumberOnAnotherDevptsIsNoDanglingTty(bool hostWide)
    {
        using var subject = Subject.StartOrSkip("pty-pair-devpts-twin");
        var slave = Collector.CollectTree(subject.RootPid, LiveJudge.Host).Processes[subject.RootPid].Fds
            .Single(f => f.Stat is { IsCharDevice: true } st && TtyDevice.IsPtySlave(st.RDevice));
        // The collision is real: a session outside has the tree's pts number, of its own devpts, as its ctty.
        Assert.NotEmpty(SessionsOn(slave.Stat!.Value.RDevice, subject.RootPid));

        var j = Judge(subject.RootPid, hostWide);
        output.WriteLine(LiveJudge.Describe(j));
        Assert.DoesNotContain(j.Findings, f => f.RuleId == "TTY2");
        Assert.Equal(Verdict.Checkpointable, j.Verdict);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void MasterOfAnOutsideSessionsTtyIsDangling(bool hostWide)
    {
        using var subject = Subject.StartOrSkip("pty-master-ctty-outside");

        var j = Judge(subject.RootPid, hostWide);
        output.WriteLine(LiveJudge.Describe(j));
        var tty2 = Assert.Single(j.Findings, f => f.RuleId == "TTY2");
        Assert.True(tty2.Blocks);
        Assert.Equal(Certainty.Certain, tty2.Certainty);
        Assert.Equal(Verdict.Checkpointable, Judge(subject.RootPid, hostWide, "--shell-job").Verdict);
    }
}
