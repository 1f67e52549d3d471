using System.Text.Json;
using Checkpointable.Render;
using Checkpointable.Rules;
using Checkpointable.Watch;
using Xunit;

namespace Checkpointable.Tests.Watch;

public sealed class TransitionRenderTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 7, 30, 1, 250, TimeSpan.FromHours(2));

    private static readonly Transition Blocking = new()
    {
        At = At,
        Kind = TransitionKind.Resource,
        Root = 10,
        Pid = 11,
        Subsystem = Subsystem.Sockets,
        RuleId = "I2",
        Resource = "fd 3",
        Fd = 3,
        From = 1,
        To = 0,
        Reason = "TCP connection\nspoofed line",
        Lift = ["--tcp-established"],
    };

    [Fact]
    public void TextLines()
    {
        Assert.Equal("2026-11-27T05:30:01.250Z 11 fd 3: 1 -> 0 (TCP connection\\nspoofed line) [I2; lift: --tcp-established]\n", TransitionTextRenderer.Render(Blocking));
        Assert.Equal("2026-11-27T05:30:01.250Z 11 fd 3: 0 -> 1 (no longer: TCP connection\\nspoofed line) [I2]\n",
            TransitionTextRenderer.Render(Blocking with { From = 0, To = 1, Lift = [] }));
        Assert.Equal("2026-11-27T05:30:01.250Z 11 sockets: 1 -> 0\n",
            TransitionTextRenderer.Render(Blocking with { Kind = TransitionKind.Subsystem }));
        Assert.Equal("2026-11-27T05:30:01.250Z 10 (app) tree: 0 -> ? (undecided)\n",
            TransitionTextRenderer.Render(new Transition { At = At, Kind = TransitionKind.Tree, Root = 10, Pid = 10, Comm = "app", From = 0, To = -1, Reason = "undecided" }));
        Assert.Equal("2026-11-27T05:30:01.250Z 12 (sleep) appeared\n",
            TransitionTextRenderer.Render(new Transition { At = At, Kind = TransitionKind.Appeared, Root = 10, Pid = 12, Comm = "sleep" }));
        Assert.Equal("2026-11-27T05:30:01.250Z 12 (sleep) exited\n",
            TransitionTextRenderer.Render(new Transition { At = At, Kind = TransitionKind.Exited, Root = 10, Pid = 12, Comm = "sleep" }));
        Assert.Equal("2026-11-27T05:30:01.250Z host: 1 (watching: 3 processes)\n",
            TransitionTextRenderer.Render(new Transition { At = At, Kind = TransitionKind.Started, Root = 0, Pid = 0, To = 1, Reason = "3 processes" }));
    }

    [Fact]
    public void JsonLineIsOneObjectOnOneLine()
    {
        string line = TransitionJsonRenderer.Render(Blocking);
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.Single(line.TrimEnd('\n').Split('\n'));
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        Assert.Equal("checkpointable/v1", r.GetProperty("schema").GetString());
        Assert.Equal("2026-11-27T05:30:01.250Z", r.GetProperty("at").GetString());
        Assert.Equal("resource", r.GetProperty("kind").GetString());
        Assert.Equal("sockets", r.GetProperty("subsystem").GetString());
        Assert.Equal("I2", r.GetProperty("rule").GetString());
        Assert.Equal((1, 0, 3), (r.GetProperty("from").GetInt32(), r.GetProperty("to").GetInt32(), r.GetProperty("fd").GetInt32()));
        Assert.Equal("--tcp-established", r.GetProperty("lift")[0].GetString());
    }

    [Fact]
    public void JsonStartHasNullFromAndNoEmptyFields()
    {
        using var doc = JsonDocument.Parse(TransitionJsonRenderer.Render(new Transition { At = At, Kind = TransitionKind.Started, Root = 5, Pid = 5, To = 1 }));
        var r = doc.RootElement;
        Assert.Equal(JsonValueKind.Null, r.GetProperty("from").ValueKind);
        Assert.False(r.TryGetProperty("rule", out _));
        Assert.False(r.TryGetProperty("lift", out _));
    }
}
