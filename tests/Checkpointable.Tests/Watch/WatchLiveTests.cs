using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Checkpointable.Tests.Live;
using Xunit;

namespace Checkpointable.Tests.Watch;

/// <summary>
/// `watch` against a live tree (the toggle subject) that opens and closes a TCP connection, takes and releases a
/// flock, spawns and reaps a child, one command at a time: each transition is printed once, in order, with the
/// right rule. The next command is sent only after the previous transition was seen (no timing assumptions).
/// </summary>
public sealed partial class WatchLiveTests
{
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")]
    private static partial Regex Timestamp();

    private static string Body(string line) => Timestamp().Replace(line, string.Empty);

    [Fact]
    public void WatchTree_EachTransitionOnceInOrder()
    {
        using var subject = Subject.Start("toggle");
        int r = subject.RootPid;
        using var watch = new LiveCommand("watch", "-t", r.ToString(CultureInfo.InvariantCulture), "--interval", "200ms");
        watch.Until(l => l.Contains(" tree: 1 (watching", StringComparison.Ordinal), "the starting state");

        subject.Send("t");
        watch.Until(l => l.Contains(" tree: 1 -> 0", StringComparison.Ordinal), "the connection blocking");
        subject.Send("t");
        watch.Until(l => l.Contains(" tree: 0 -> 1", StringComparison.Ordinal), "the connection closed");
        subject.Send("l");
        watch.Until(l => l.Contains(" tree: 1 -> 0", StringComparison.Ordinal), "the flock blocking");
        subject.Send("l");
        watch.Until(l => l.Contains(" tree: 0 -> 1", StringComparison.Ordinal), "the flock released");
        subject.Send("c");
        var child = watch.Until(l => l.EndsWith(" appeared", StringComparison.Ordinal), "the child");
        subject.Send("c");
        watch.Until(l => l.EndsWith(" exited", StringComparison.Ordinal), "the child reaped");
        subject.Dispose();
        Assert.Equal(0, watch.Exit()); // the root exited: the watch ends by itself

        Assert.All(watch.Seen, l => Assert.Matches(Timestamp(), l));
        var times = watch.Seen.Select(l => DateTimeOffset.Parse(l[..24], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.Order(), times);
        int c = int.Parse(Body(child).Split(' ')[0], CultureInfo.InvariantCulture);
        string[] expected =
        [
            $@"^{r} \(subject\) tree: 1 \(watching: checkpointable\)$",
            $@"^{r} fd \d+: 1 -> 0 \(TCP connection 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ in state ESTABLISHED, peer outside the tree\) \[I2; lift: --tcp-established",
            $@"^{r} sockets: 1 -> 0$",
            $@"^{r} \(subject\) tree: 1 -> 0 \(1 blocker, first: I2 {r} fd \d+\)$",
            $@"^{r} fd \d+: 0 -> 1 \(no longer: TCP connection .* ESTABLISHED.*\) \[I2\]$",
            $@"^{r} sockets: 0 -> 1$",
            $@"^{r} \(subject\) tree: 0 -> 1 \(checkpointable\)$",
            $@"^{r} fd \d+: 1 -> 0 \(.*/locked holds a FLOCK WRITE lock\) \[L1; lift: --file-locks\]$",
            $@"^{r} locks: 1 -> 0$",
            $@"^{r} \(subject\) tree: 1 -> 0 \(1 blocker, first: L1 {r} fd \d+\)$",
            $@"^{r} fd \d+: 0 -> 1 \(no longer: .*/locked holds a FLOCK WRITE lock\) \[L1\]$",
            $@"^{r} locks: 0 -> 1$",
            $@"^{r} \(subject\) tree: 0 -> 1 \(checkpointable\)$",
            $@"^{c} \(subject\) appeared$",
            $@"^{c} \(subject\) exited$",
            $@"^{r} \(subject\) exited$",
        ];
        // Killed, the root may be seen as a zombie for a moment before it is reaped: a true transition, but racy.
        var zombie = new Regex($@"^{r} (process: 1 -> 0 \(the root process is a zombie\) \[T23\]|task: 1 -> 0|\(subject\) tree: 1 -> 0 \(1 blocker, first: T23 .*\))$");
        var bodies = watch.Seen.Select(Body).Where(b => !zombie.IsMatch(b)).ToList();
        Assert.True(expected.Length == bodies.Count, $"expected {expected.Length} lines, got:\n{string.Join('\n', bodies)}");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Matches(expected[i], bodies[i]);
        }
    }

    [Fact]
    public void WatchTreeJson_OneObjectPerLine()
    {
        using var subject = Subject.Start("toggle");
        using var watch = new LiveCommand("watch", "-t", subject.RootPid.ToString(CultureInfo.InvariantCulture), "--json", "--interval", "200ms");
        watch.Until(l => l.Contains("\"started\"", StringComparison.Ordinal), "the starting state");
        subject.Send("l");
        watch.Until(l => l.Contains("\"tree\"", StringComparison.Ordinal), "the tree verdict");
        subject.Dispose();
        Assert.Equal(0, watch.Exit());

        var objects = watch.Seen.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["started", "resource", "subsystem", "tree"], objects.Take(4).Select(o => o.GetProperty("kind").GetString()));
        Assert.Equal(("exited", subject.RootPid), (objects[^1].GetProperty("kind").GetString(), objects[^1].GetProperty("pid").GetInt32()));
        Assert.Equal("L1", objects[1].GetProperty("rule").GetString());
        Assert.Equal((1, 0), (objects[1].GetProperty("from").GetInt32(), objects[1].GetProperty("to").GetInt32()));
        Assert.Equal("--file-locks", objects[1].GetProperty("lift")[0].GetString());
        Assert.Equal("locks", objects[2].GetProperty("subsystem").GetString());
        Assert.All(objects, o => Assert.Equal(subject.RootPid, o.GetProperty("root").GetInt32()));
    }

    /// <summary>The whole host: a flock taken on an fd the root already had (no fd count change: /proc/locks shows it), then a connection.</summary>
    [Fact]
    public void WatchHost_SeesALockWithoutAnFdChangeAndAConnection()
    {
        using var subject = Subject.Start("toggle");
        int r = subject.RootPid;
        using var watch = new LiveCommand("watch", "--interval", "300ms");
        // The first look is a full scan of the host: slow when other work shares the machine.
        watch.Until(l => l.Contains(" host: ", StringComparison.Ordinal), "the starting state", TimeSpan.FromMinutes(5));
        subject.Send("l");
        var locked = watch.Until(l => l.Contains($" {r} fd ", StringComparison.Ordinal) && l.Contains("[L1", StringComparison.Ordinal), "the flock");
        Assert.Contains(": 1 -> 0 (", locked, StringComparison.Ordinal);
        subject.Send("t");
        var connected = watch.Until(l => l.Contains($" {r} fd ", StringComparison.Ordinal) && l.Contains("[I2", StringComparison.Ordinal), "the connection");
        Assert.Contains(": 1 -> 0 (TCP connection", connected, StringComparison.Ordinal);
        subject.Send("l");
        var released = watch.Until(l => l.Contains($" {r} fd ", StringComparison.Ordinal) && l.Contains("[L1", StringComparison.Ordinal), "the flock released");
        Assert.Contains(": 0 -> 1 (no longer", released, StringComparison.Ordinal);
        Assert.Single(watch.Seen, l => l.Contains($" {r} fd ", StringComparison.Ordinal) && l.Contains("[I2", StringComparison.Ordinal));
    }

    [Fact]
    public void WatchOfNoSuchProcessIsAnError()
    {
        using var watch = new LiveCommand("watch", "-t", "999999999");
        Assert.Equal(2, watch.Exit());
        Assert.Contains("no such process", watch.Stderr(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--interval", "0")]
    [InlineData("--interval", "fast")]
    public void BadIntervalIsAnError(string option, string value)
    {
        using var watch = new LiveCommand("watch", "-t", "1", option, value);
        Assert.Equal(2, watch.Exit());
        Assert.Contains("--interval", watch.Stderr(), StringComparison.Ordinal);
    }
}
