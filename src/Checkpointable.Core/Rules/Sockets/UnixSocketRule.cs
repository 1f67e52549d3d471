using Checkpointable.Model;

namespace Checkpointable.Rules.Sockets;

/// <summary>
/// §6.1 (sk-unix.c): unix sockets whose peer is outside the tree (U5–U7) need --external unix[INO]
/// (-x helps only a datagram socket connected to a named one); a peer in an uncollected namespace (U8),
/// dangling connections (U10) and broken in-flight connections (U4) are refused; queued data with
/// SO_PASSCRED (U11) and files in flight (S2) cannot be seen, so they are risks.
/// </summary>
public sealed class UnixSocketRule : IRule
{
    public string Name => nameof(UnixSocketRule);

    public void Evaluate(RuleContext c)
    {
        var icons = c.Snapshot.SocketIndex.Icons;
        foreach (var s in SocketRef.InTree(c))
        {
            if (s.Unix is { } u)
            {
                Check(c, s, u, icons);
            }
        }
    }

    private static void Check(RuleContext c, SocketRef s, UnixSocket u, IReadOnlySet<ulong> icons)
    {
        var p = s.Process;
        string name = u.Name ?? "unnamed";
        if (u.State == 10 && u.Icons.Contains(0UL))
        {
            c.Report("U4", Subsystem.Sockets, p, s.Resource, $"listener {name} has a pending connection whose client already closed",
                "Found a closed in-flight socket to %#x (criu/sk-unix.c:525)", fd: s.Fd.Fd, isVolatile: true);
        }

        // A client whose connection waits in a listener's queue: the kernel lists the client in the
        // listener's UNIX_DIAG_ICONS and reports no peer for it (the embryo has no inode yet).
        bool pending = u.Peer == 0 && icons.Contains(u.Inode);
        if (pending && u.SendQueue > 0)
        {
            c.Report("U4", Subsystem.Sockets, p, s.Resource, $"unix socket {u.Inode} wrote {u.SendQueue} bytes on a connection not yet accepted",
                "Non-empty write queue on an in-flight socket %#x (criu/sk-unix.c:506)", fd: s.Fd.Fd, isVolatile: true);
        }

        if (u.Peer != 0 && !c.TreeSocketInodes.Contains(u.Peer))
        {
            Outside(c, s, u, s.Table!.Unix.GetValueOrDefault(u.Peer));
        }
        else if (pending)
        {
            if (c.Snapshot.SocketIndex.ListenerOf(u.Inode) is { } listener && !c.TreeSocketInodes.Contains(listener.Inode))
            {
                Outside(c, s, u, listener);
            }
        }
        else if (u.Peer == 0 && u.State == 1 && u.Type != SocketType.Datagram && u.Shutdown != 3)
        {
            c.Report("U10", Subsystem.Sockets, p, s.Resource, $"connected {Kind(u)} socket {u.Inode} has no peer",
                "Dangling connection %d (criu/sk-unix.c:479)", fd: s.Fd.Fd);
        }

        if (u.State != 10 && u.ReceiveQueue > 0 && s.Fd.SocketOptions?.PassCred is true)
        {
            c.Report("U11", Subsystem.Sockets, p, s.Resource,
                $"{u.ReceiveQueue} unread bytes queued on {Kind(u)} socket {name}, whose receiver set SO_PASSCRED/SO_PASSSEC",
                "Control messages in queue, not supported (criu/sk-queue.c:144)", fd: s.Fd.Fd, isVolatile: true);
        }
        else if (u.State != 10 && u.ReceiveQueue > 0 && s.Fd.SocketOptions?.PassCred is null)
        {
            c.Report("U11", Subsystem.Sockets, p, s.Resource,
                $"{u.ReceiveQueue} unread bytes queued on {Kind(u)} socket {name}: criu refuses them if the receiver set SO_PASSCRED/SO_PASSSEC, which /proc does not show",
                "Control messages in queue, not supported (criu/sk-queue.c:144)", fd: s.Fd.Fd, severity: Severity.Risk, certainty: Certainty.Likely, isVolatile: true);
        }

        if (s.Fd.Info?.ScmFds is > 0)
        {
            c.Report("S2", Subsystem.Sockets, p, s.Resource,
                $"{s.Fd.Info.ScmFds} descriptors in flight (SCM_RIGHTS) on socket {u.Inode}: criu refuses in-flight ttys and unsupported devices, whose types /proc does not show",
                fd: s.Fd.Fd, severity: Severity.Risk, certainty: Certainty.Likely);
        }
    }

    private static void Outside(RuleContext c, SocketRef s, UnixSocket u, UnixSocket? peer)
    {
        var p = s.Process;
        string external = $"--external unix[{u.Inode}]";
        bool isExternal = c.Options.IsExternalUnix(u.Inode);
        if (peer is null)
        {
            c.Report("U8", Subsystem.Sockets, p, s.Resource, $"{Kind(u)} socket {u.Inode}'s peer {u.Peer} is in a network namespace criu does not collect",
                "Unix socket %u without peer %u (criu/sk-unix.c:418)", fd: s.Fd.Fd);
            return;
        }

        string peerName = peer.Name ?? "an unnamed socket";
        if (u.Type == SocketType.Datagram)
        {
            bool named = peer.Name is not null;
            c.Report(named ? "U6" : "U7", Subsystem.Sockets, p, s.Resource,
                $"datagram socket {u.Inode} is connected to {peerName} outside the tree",
                named ? "External socket is used. Consider using --ext-unix-sk option. (criu/sk-unix.c:874)" : "Can't dump name-less external socket. (criu/sk-unix.c:888)",
                lift: named ? ["--ext-unix-sk"] : [external], liftedNow: isExternal || (named && c.Options.ExtUnixSk), fd: s.Fd.Fd);
            return;
        }

        c.Report("U5", Subsystem.Sockets, p, s.Resource,
            $"{Kind(u)} socket {u.Inode} is connected to {peerName} (socket {peer.Inode}) outside the tree; --ext-unix-sk does not help stream sockets",
            c.Options.ExtUnixSk
                ? "Can't dump half of stream unix connection. name: %s; peer name: %s (criu/sk-unix.c:881)"
                : "External socket is used. Consider using --ext-unix-sk option. (criu/sk-unix.c:874)",
            lift: [external], liftedNow: isExternal, fd: s.Fd.Fd);
    }

    private static string Kind(UnixSocket u) => u.Type switch
    {
        SocketType.Stream => "stream",
        SocketType.SeqPacket => "seqpacket",
        SocketType.Datagram => "datagram",
        _ => "unix",
    };
}
