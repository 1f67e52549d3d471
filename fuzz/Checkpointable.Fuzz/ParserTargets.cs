using System.Text;
using Checkpointable.Containers;
using Checkpointable.Interop;
using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;
using Checkpointable.Probes.SockDiag;

namespace Checkpointable.Fuzz;

/// <summary>
/// A parser under fuzz: its name (the argument of fuzz/run.sh), where its seeds come from, and how one input is fed
/// to it. A target returns normally for every input: a parser's documented answer to bad input is its failure result
/// (false, an empty list, a default field), so any exception that escapes is a bug.
/// </summary>
/// <param name="Seeds">File name prefixes in tests/Checkpointable.Tests/Fixtures/proc (text), sockdiag/NAME.hex (binary) or cgroup/ (every file).</param>
public sealed record ParserTarget(string Name, string Seeds, Action<byte[]> Run);

/// <summary>Every parser of kernel text (/proc) and netlink binary (sock_diag, rtnetlink) that the probes use.</summary>
public static class ParserTargets
{
    public static IReadOnlyList<ParserTarget> All { get; } =
    [
        new("stat", "proc/stat", input => _ = StatParser.TryParse(Text(input), out _)),
        new("status", "proc/status", input => _ = StatusParser.TryParse(Text(input), out _)),
        new("maps", "proc/maps", input => _ = MapsParser.Parse(Text(input))),
        new("fdinfo", "proc/fdinfo", input => _ = FdInfoParser.Parse(Text(input))),
        new("mountinfo", "proc/mountinfo", input => _ = MountInfoParser.Parse(Text(input))),
        new("locks", "proc/locks", input => _ = LocksParser.LockedFiles(Text(input))),
        new("fdlink", "proc/fdlink", input => FdLink(Text(input))),
        new("cgroup", "cgroup/", input => _ = ContainerPath.Match(CgroupParser.Parse(Text(input)))),
        new("sockdiag-unix", "sockdiag/unix", input => Dump(input, DiagRequests.Unix(), p => UnixDiagParser.TryParse(p, out _))),
        new("sockdiag-inet", "sockdiag/tcp", input => Dump(input, DiagRequests.Inet(Netlink.AF_INET, Netlink.IPPROTO_TCP), p => InetDiagParser.TryParse(p, IpProtocol.Tcp, out _))),
        new("sockdiag-netlink", "sockdiag/netlink", input => Dump(input, DiagRequests.NetlinkSockets(), p => NetlinkDiagParser.TryParse(p, out _))),
        new("sockdiag-packet", "sockdiag/packet", input => Dump(input, DiagRequests.Packet(), p => PacketDiagParser.TryParse(p, out _))),
        new("rtnetlink-link", "sockdiag/rtnetlink", input => Dump(input, new Netlink.ifinfomsg(), p => NetDeviceLister.TryParse(p, out _), (ushort)Netlink.RTM_GETLINK, Netlink.RTM_NEWLINK)),
    ];

    /// <summary>
    /// Not a parser: the stat parser (so that AFL++ sees instrumented code) followed by a planted bug, an index past
    /// the end of an input shorter than 11 bytes. It shows the pipeline reports a crash: `fuzz/run.sh selftest 60`
    /// must find one. Not in <see cref="All"/>.
    /// </summary>
    public static ParserTarget SelfTest { get; } = new("selftest", "proc/stat", input =>
    {
        _ = StatParser.TryParse(Text(input), out _);
        _ = input[input.Length <= 10 ? 10 : 0];
    });

    public static ParserTarget? Find(string name) => name == SelfTest.Name ? SelfTest : All.FirstOrDefault(t => t.Name == name);

    /// <summary>The probes decode /proc files as UTF-8 (ProcReader.ReadText), so the parsers only ever see such strings.</summary>
    private static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    /// <summary>An fd's link text ("socket:[123]", "anon_inode:[eventpoll]", a path) as ProcessProbe reads it.</summary>
    private static void FdLink(string link)
    {
        _ = FdEntry.ParseBracketInode(link);
        _ = FdEntry.Classify(link, null, null);
    }

    /// <summary>
    /// The input is the kernel's reply datagram to one dump request: it runs through the real receive loop
    /// (framing, sequence numbers, NLMSG_DONE/NLMSG_ERROR) and each record through the parser, as in a scan.
    /// </summary>
    private static void Dump<TRequest>(
        byte[] input, TRequest request, PayloadHandler parse, ushort type = Netlink.SOCK_DIAG_BY_FAMILY, ushort replyType = Netlink.SOCK_DIAG_BY_FAMILY)
        where TRequest : unmanaged
    {
        using var connection = new NetlinkConnection(new ReplyChannel(input));
        _ = connection.Dump(request, default, parse, dump: true, type, replyType);
    }
}
