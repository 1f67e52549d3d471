using System.Buffers.Binary;
using Checkpointable.Interop;
using Checkpointable.Predict;
using Checkpointable.Tests.Live;
using Checkpointable.Watch;
using Xunit;

namespace Checkpointable.Tests.Watch;

public sealed class HostWatchTests
{
    /// <summary>A netlink message carrying one struct proc_event, as the kernel sends it (cn_proc.c).</summary>
    private static byte[] Event(uint what, params int[] data)
    {
        var msg = new byte[16 + 20 + 16 + Math.Max(16, data.Length * 4)];
        BinaryPrimitives.WriteUInt32LittleEndian(msg, (uint)msg.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(msg.AsSpan(36), what);
        for (int i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(msg.AsSpan(52 + (i * 4)), data[i]);
        }

        return msg;
    }

    [Fact]
    public void ProcEventsOfProcessesAreKeptThreadsSkipped()
    {
        var datagram = Event(ProcConnector.PROC_EVENT_FORK, 10, 10, 11, 11)
            .Concat(Event(ProcConnector.PROC_EVENT_FORK, 10, 10, 12, 10)) // a thread of 10
            .Concat(Event(ProcConnector.PROC_EVENT_EXEC, 11, 11))
            .Concat(Event(ProcConnector.PROC_EVENT_EXIT, 12, 10))         // the thread exits
            .Concat(Event(ProcConnector.PROC_EVENT_EXIT, 11, 11))
            .Concat(Event(0, 0, 0)) // the kernel's ack of the listen request
            .ToArray();
        var events = new List<(uint, int)>();
        ProcConnector.Parse(datagram, events);
        Assert.Equal([(ProcConnector.PROC_EVENT_FORK, 11), (ProcConnector.PROC_EVENT_EXEC, 11), (ProcConnector.PROC_EVENT_EXIT, 11)], events);
    }

    [Fact]
    public void TruncatedOrHostileDatagramsAreIgnored()
    {
        var events = new List<(uint, int)>();
        var one = Event(ProcConnector.PROC_EVENT_EXEC, 5, 5);
        ProcConnector.Parse(one.AsSpan(0, 30), events);
        BinaryPrimitives.WriteUInt32LittleEndian(one, 10_000); // a length past the datagram
        ProcConnector.Parse(one, events);
        BinaryPrimitives.WriteUInt32LittleEndian(one, 0);
        ProcConnector.Parse(one, events);
        Assert.Empty(events);
    }

    /// <summary>With the proc connector (root) and without it (listing /proc), a new tree appears and then exits.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ANewProcessAppearsAndExits(bool connector)
    {
        using var watch = new HostWatch(Predictor.Options([])) { UseProcConnector = connector };
        watch.Start();
        int probe = ProcConnector.Open(); // root with the connector built in: the watch must be using it
        bool available = probe >= 0 && ProcConnector.Close(probe) == 0;
        Assert.Equal(connector && available, watch.UsesProcConnector);
        var subject = Subject.Start("toggle");
        int root = subject.RootPid;
        var appeared = Poll(watch, t => t.Kind == TransitionKind.Appeared && t.Pid == root);
        Assert.Equal(1, appeared.To);
        subject.Send("l");
        var locked = Poll(watch, t => t.Kind == TransitionKind.Resource && t.Pid == root);
        Assert.Equal(("L1", 0), (locked.RuleId, locked.To!.Value));
        subject.Dispose();
        Poll(watch, t => t.Kind == TransitionKind.Exited && t.Pid == root);
        Assert.False(watch.States.ContainsKey(root));
    }

    private static Transition Poll(HostWatch watch, Func<Transition, bool> match)
    {
        for (int i = 0; i < 600; i++)
        {
            if (watch.Poll().FirstOrDefault(match) is { } t)
            {
                return t;
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException("no such transition within 600 looks");
    }
}
