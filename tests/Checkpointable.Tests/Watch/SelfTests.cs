using System.Net;
using System.Net.Sockets;
using Checkpointable.Model;
using Checkpointable.Predict;
using Checkpointable.Probes;
using Checkpointable.Watch;
using Xunit;

namespace Checkpointable.Tests.Watch;

/// <summary>The self-query API, asked from this test process (its children, other tests' subjects, may be in its tree).</summary>
public sealed class SelfTests
{
    [Fact]
    public void SelfIsJudgedAsIfCriuRanFromOutside()
    {
        var j = Self.Judge();
        Assert.Equal(Environment.ProcessId, j.Tree.Root);
        Assert.DoesNotContain(j.Findings, f => f.RuleId == "T5");

        // The same tree judged with criu standing here (the CLI's view) is refused by T5: the asker is criu's lineage.
        var fromHere = Predictor.JudgeTree(Environment.ProcessId, Predictor.Options([]), HostProbe.Read());
        Assert.Contains(fromHere.Findings, f => f.RuleId == "T5");
    }

    [Fact]
    public async Task WatchSelfSeesOurOwnConnectionComeAndGo()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        TcpClient? client = null;
        int? fd = null;
        var seen = new List<Transition>();
        try
        {
            await foreach (var t in Self.Watch(TimeSpan.FromMilliseconds(200), cancel: cancel.Token))
            {
                seen.Add(t);
                if (t.Kind == TransitionKind.Started)
                {
                    client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, cancel.Token);
                    fd = (int)client.Client.Handle; // the descriptor itself, on Linux
                }
                else if (t is { Kind: TransitionKind.Resource, RuleId: "I2", From: 1, To: 0 } && t.Pid == Environment.ProcessId && t.Fd == fd && client is not null)
                {
                    client.Dispose();
                    client = null;
                }
                else if (t is { Kind: TransitionKind.Resource, RuleId: "I2", To: 1 } && t.Pid == Environment.ProcessId && t.Fd == fd)
                {
                    break;
                }
            }
        }
        finally
        {
            client?.Dispose();
        }

        Assert.False(cancel.IsCancellationRequested, "no I2 0 -> 1 within 120 s: " + string.Join("; ", seen.Select(t => $"{t.Kind} {t.Pid} {t.RuleId} {t.To}")));
        Assert.Null(client); // the connection was seen blocking, closed, then seen gone
        Assert.DoesNotContain(seen, t => t.RuleId == "T5");
    }
}
