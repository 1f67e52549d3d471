using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Checkpointable.Interop;
using Checkpointable.Model;
using Checkpointable.Probes.SockDiag;
using Xunit;
using static Checkpointable.Tests.SockDiag.SockDiagTestSupport;

namespace Checkpointable.Tests.SockDiag;

/// <summary>
/// Dumps another network namespace through setns on a helper thread. The namespace is held by `unshare --net sleep`,
/// killed in Dispose.
/// </summary>
public sealed class NamespaceCollectTests : IDisposable
{
    private Process? _holder;

    [RootFact]
    public void Another_namespace_is_dumped_without_our_sockets_and_our_thread_stays_home()
    {
        (ulong netns, string path) = StartHolder();
        using var pair = UnixSocketPair();
        using var listener = new Socket(AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        ulong ours = SocketInode(pair.First);
        ulong ourListener = SocketInode(listener);
        ulong home = OwnNetworkNamespace();

        var table = SockDiagClient.Collect(netns, path, [DiagFamily.Unix, DiagFamily.Tcp]);

        Assert.Empty(table.Failed);
        Assert.Equal(netns, table.NetNamespace);
        Assert.DoesNotContain(ours, table.Unix.Keys);
        Assert.Empty(table.Inet); // a fresh namespace has no TCP socket at all
        Assert.Equal(home, OwnNetworkNamespace());

        // And the same sockets are there when we ask for our own namespace by path (no setns then).
        var own = SockDiagClient.Collect(home, "/proc/self/ns/net", [DiagFamily.Unix, DiagFamily.Tcp]);
        Assert.Contains(ours, own.Unix.Keys);
        Assert.Contains(ourListener, own.Inet.Keys);
    }

    [RootFact]
    public void A_path_that_now_names_another_namespace_is_refused()
    {
        (ulong netns, string path) = StartHolder();

        var table = SockDiagClient.Collect(netns + 1, path, [DiagFamily.Unix, DiagFamily.Packet]);

        Assert.Equal($"ESTALE: {path} is net:[{netns}], not net:[{netns + 1}]", table.Failed[DiagFamily.Unix]);
        Assert.Equal(table.Failed[DiagFamily.Unix], table.Failed[DiagFamily.Packet]);
        Assert.Empty(table.Unix);
    }

    [RootFact]
    public void Without_cap_sys_admin_setns_fails_with_eperm_for_every_family()
    {
        (ulong netns, string path) = StartHolder();
        DiagFamily[] families = [DiagFamily.Unix, DiagFamily.Tcp, DiagFamily.Netlink];

        var table = WithoutCapability(CAP_SYS_ADMIN, () => SockDiagClient.Collect(netns, path, families));

        Assert.Equal(families, table.Failed.Keys.Order());
        Assert.All(table.Failed.Values, reason => Assert.Equal("EPERM: setns", reason));
        Assert.Empty(table.Unix);
        Assert.Empty(table.Netlink);
    }

    [Fact]
    public void A_namespace_that_cannot_be_opened_fails_every_requested_family()
    {
        const string path = "/proc/0/ns/net";
        var table = SockDiagClient.Collect(OwnNetworkNamespace() + 12345, path, [DiagFamily.Unix, DiagFamily.Tcp, DiagFamily.Tcp]);

        Assert.Equal(2, table.Failed.Count);
        Assert.Equal($"ENOENT: open {path}", table.Failed[DiagFamily.Unix]);
        Assert.Equal($"ENOENT: open {path}", table.Failed[DiagFamily.Tcp]);
    }

    public void Dispose()
    {
        if (_holder is { HasExited: false })
        {
            _holder.Kill();
            _holder.WaitForExit();
        }

        _holder?.Dispose();
    }

    /// <summary>Starts the namespace holder and waits until it has left our namespace.</summary>
    private (ulong Netns, string Path) StartHolder()
    {
        ulong home = OwnNetworkNamespace();
        _holder = Process.Start(new ProcessStartInfo("unshare", ["--net", "sleep", "30"]) { UseShellExecute = false })!;
        string path = $"/proc/{_holder.Id}/ns/net";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (Netlink.InodeOf(path, out ulong inode) == 0 && inode != home)
            {
                return (inode, path);
            }

            Assert.False(_holder.HasExited, $"unshare exited with {(_holder.HasExited ? _holder.ExitCode : 0)}");
            Thread.Sleep(10);
        }

        throw new TimeoutException("unshare --net did not enter a new namespace");
    }
}
