using Checkpointable.Interop;
using Checkpointable.Model;

namespace Checkpointable.Probes.SockDiag;

/// <summary>
/// The wording of <see cref="SocketTable.Failed"/> reasons: "ERRNO: what failed", or "malformed reply: …". What the
/// kernel's answers mean follows CRIU's collect_err: ENOENT is a diag module that is not there; for raw sockets
/// EINVAL and ENOENT both mean the kernel cannot dump them (CONFIG_INET_RAW_DIAG unset).
/// </summary>
internal static class DiagFailure
{
    internal const string MalformedPrefix = "malformed reply";

    /// <summary>The kernel module (or part of one) that answers for <paramref name="family"/>.</summary>
    internal static string ModuleOf(DiagFamily family) => family switch
    {
        DiagFamily.Unix => "unix_diag",
        DiagFamily.Tcp => "tcp_diag",
        DiagFamily.Udp => "udp_diag",
        DiagFamily.UdpLite => "udplite_diag",
        DiagFamily.Raw => "raw_diag",
        DiagFamily.Netlink => "netlink_diag",
        DiagFamily.Packet => "packet_diag",
        _ => family.ToString(),
    };

    internal static string Describe(DiagFamily family, in DumpOutcome outcome)
    {
        string module = ModuleOf(family);
        // A malformed reply explains a later receive failure (the end of the dump was never recognised), not the
        // other way round; an error the kernel stated outright wins.
        if (outcome.Errno == 0 || (outcome.Malformed is not null && outcome.Step != DumpStep.Reply))
        {
            return $"{MalformedPrefix}: {outcome.Malformed} ({module})";
        }

        string errno = ErrnoName(outcome.Errno);
        if (outcome.Step != DumpStep.Reply)
        {
            return $"{errno}: {(outcome.Step == DumpStep.Send ? "sendto" : "recvmsg")} ({module})";
        }

        return (family, outcome.Errno) switch
        {
            (DiagFamily.Raw, Netlink.ENOENT or Netlink.EINVAL) => $"{errno}: raw_diag not supported",
            (_, Netlink.ENOENT) => $"{errno}: {module} not available",
            (_, Netlink.EINVAL) => $"{errno}: {module} rejected the request",
            _ => $"{errno}: {module} dump",
        };
    }

    internal static string ErrnoName(int errno) => Libc.ErrnoName(errno);
}
