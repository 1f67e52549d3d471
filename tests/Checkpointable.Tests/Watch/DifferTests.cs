using Checkpointable.Rules;
using Checkpointable.Watch;
using Xunit;
using static Checkpointable.Tests.Watch.Synthetic;

namespace Checkpointable.Tests.Watch;

public sealed class DifferTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);

    private static List<Transition> Diff(Judgement before, Judgement after) =>
        Differ.Diff(WatchState.Of(before), WatchState.Of(after), At);

    [Fact]
    public void StartOfACheckpointableTreeIsOneLine()
    {
        var t = Assert.Single(Differ.Start(WatchState.Of(Judgement([10])), At));
        Assert.Equal(TransitionKind.Started, t.Kind);
        Assert.Equal(1, t.To);
        Assert.Null(t.From);
    }

    [Fact]
    public void StartNamesEachBlocker()
    {
        var list = Differ.Start(WatchState.Of(Judgement([10, 11], Flock(11, 4))), At);
        Assert.Equal([TransitionKind.Started, TransitionKind.Resource], list.Select(t => t.Kind));
        Assert.Equal(0, list[0].To);
        Assert.Equal(("L1", 11, (int?)null, (int?)0), (list[1].RuleId, list[1].Pid, list[1].From, list[1].To));
    }

    [Fact]
    public void NoChangeNoTransition()
    {
        Assert.Empty(Diff(Judgement([10], Tcp(10, 3)), Judgement([10], Tcp(10, 3))));
        Assert.Empty(Diff(Judgement([10, 11]), Judgement([10, 11])));
    }

    [Fact]
    public void ABlockerAppearing_ResourceThenSubsystemThenTree()
    {
        var list = Diff(Judgement([10]), Judgement([10], Tcp(10, 3)));
        Assert.Equal([TransitionKind.Resource, TransitionKind.Subsystem, TransitionKind.Tree], list.Select(t => t.Kind));
        Assert.Equal(("I2", "fd 3", 1, 0), (list[0].RuleId, list[0].Resource, list[0].From, list[0].To));
        Assert.Equal(["--tcp-established"], list[0].Lift);
        Assert.Equal((Subsystem.Sockets, 1, 0), (list[1].Subsystem!.Value, list[1].From!.Value, list[1].To!.Value));
        Assert.Equal((1, 0), (list[2].From!.Value, list[2].To!.Value));
    }

    [Fact]
    public void ABlockerGoing_KeepsItsReasonAndDropsTheLift()
    {
        var list = Diff(Judgement([10], Tcp(10, 3)), Judgement([10]));
        Assert.Equal([TransitionKind.Resource, TransitionKind.Subsystem, TransitionKind.Tree], list.Select(t => t.Kind));
        Assert.Equal((0, 1), (list[0].From!.Value, list[0].To!.Value));
        Assert.Equal("TCP connection on fd 3", list[0].Reason);
        Assert.Empty(list[0].Lift);
        Assert.Equal("checkpointable", list[2].Reason);
    }

    [Fact]
    public void ALiftedFindingIsNoBlocker()
    {
        Assert.Empty(Diff(Judgement([10]), Judgement([10], Tcp(10, 3, lifted: true))));
    }

    [Fact]
    public void ASecondBlockerChangesNeitherSubsystemNorTree()
    {
        var list = Diff(Judgement([10], Tcp(10, 3)), Judgement([10], Tcp(10, 3), Tcp(10, 4)));
        var t = Assert.Single(list);
        Assert.Equal(("fd 4", 1, 0), (t.Resource, t.From!.Value, t.To!.Value));
    }

    [Fact]
    public void ChildrenAppearAndExitFirst()
    {
        var appeared = Diff(Judgement([10]), Judgement([10, 11], Flock(11, 4)));
        Assert.Equal([TransitionKind.Appeared, TransitionKind.Resource, TransitionKind.Subsystem, TransitionKind.Tree], appeared.Select(t => t.Kind));
        Assert.Equal((11, "p11"), (appeared[0].Pid, appeared[0].Comm));

        var exited = Diff(Judgement([10, 11], Flock(11, 4)), Judgement([10]));
        Assert.Equal([TransitionKind.Exited, TransitionKind.Resource, TransitionKind.Subsystem, TransitionKind.Tree], exited.Select(t => t.Kind));
        Assert.Equal(1, exited[1].To);
    }

    [Fact]
    public void ResourcesGoingAwayComeBeforeNewOnes()
    {
        var list = Diff(Judgement([10], Tcp(10, 3)), Judgement([10], Flock(10, 5)));
        var resources = list.Where(t => t.Kind == TransitionKind.Resource).ToList();
        Assert.Equal([("I2", 1), ("L1", 0)], resources.Select(t => (t.RuleId!, t.To!.Value)));
        Assert.Equal([(Subsystem.Sockets, 1), (Subsystem.Locks, 0)], list.Where(t => t.Kind == TransitionKind.Subsystem).Select(t => (t.Subsystem!.Value, t.To!.Value)));
        Assert.DoesNotContain(list, t => t.Kind == TransitionKind.Tree);
    }

    [Fact]
    public void UndecidedIsMinusOne()
    {
        var t = Assert.Single(Diff(Judgement([10]), Judgement([10], Unknown(10))));
        Assert.Equal((TransitionKind.Tree, 1, -1), (t.Kind, t.From!.Value, t.To!.Value));
    }

    [Fact]
    public void GoneListsEveryMemberRootLast()
    {
        var list = Differ.Gone(WatchState.Of(Judgement([10, 12, 11])), At);
        Assert.Equal([11, 12, 10], list.Select(t => t.Pid));
        Assert.All(list, t => Assert.Equal(TransitionKind.Exited, t.Kind));
    }

    [Fact]
    public void OwnOnlyKeepsTheRootsOwnFindings()
    {
        var s = WatchState.Of(Judgement([10, 11], Tcp(11, 3)), ownOnly: true);
        Assert.Empty(s.Blockers);
        Assert.Equal([10], s.Members.Keys);
        Assert.Equal(0, s.Verdict); // the tree's verdict still counts the child's blocker
    }

    [Fact]
    public void HostDiff_NewProcessIsOneLineWithItsVerdict_ExitedOneLine_ChangedAsATree()
    {
        var before = new Dictionary<int, WatchState>
        {
            [10] = WatchState.Of(Judgement([10]), ownOnly: true),
            [20] = WatchState.Of(Judgement([20]), ownOnly: true),
        };
        var same = before[20];
        var after = new Dictionary<int, WatchState>
        {
            [10] = WatchState.Of(Judgement([10], Tcp(10, 3)), ownOnly: true),
            [20] = same,
            [30] = WatchState.Of(Judgement([30], Flock(30, 3)), ownOnly: true),
        };
        before.Add(40, WatchState.Of(Judgement([40]), ownOnly: true));

        var list = Differ.DiffHost(before, after, At);
        Assert.Equal(
            [(TransitionKind.Appeared, 30), (TransitionKind.Exited, 40), (TransitionKind.Resource, 10), (TransitionKind.Subsystem, 10), (TransitionKind.Tree, 10)],
            list.Select(t => (t.Kind, t.Pid)));
        Assert.Equal(0, list[0].To);
        Assert.Contains("L1", list[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SummaryNamesTheFirstBlocker()
    {
        Assert.Equal("2 blockers, first: I2 10 fd 3", Differ.Summary(WatchState.Of(Judgement([10], Flock(10, 5), Tcp(10, 3)))));
        Assert.Equal("checkpointable", Differ.Summary(WatchState.Of(Judgement([10]))));
    }
}
