using System.Diagnostics;
using System.Runtime.CompilerServices;
using Checkpointable.Probes.SockDiag;
using Xunit;
using N = Checkpointable.Interop.Netlink;

namespace Checkpointable.Tests.SockDiag;

/// <summary>
/// The hand-written structs against the kernel headers: sizes and offsets in C#, and the same numbers checked by a C
/// compiler against /usr/include/linux when one is installed.
/// </summary>
public sealed class InteropLayoutTests
{
    public static TheoryData<string, int> Sizes() => new()
    {
        { "nlmsghdr", Unsafe.SizeOf<N.nlmsghdr>() },
        { "nlmsgerr", Unsafe.SizeOf<N.nlmsgerr>() },
        { "rtattr", Unsafe.SizeOf<N.rtattr>() },
        { "sockaddr_nl", Unsafe.SizeOf<N.sockaddr_nl>() },
        { "inet_diag_sockid", Unsafe.SizeOf<N.inet_diag_sockid>() },
        { "inet_diag_req_v2", Unsafe.SizeOf<N.inet_diag_req_v2>() },
        { "inet_diag_msg", Unsafe.SizeOf<N.inet_diag_msg>() },
        { "unix_diag_req", Unsafe.SizeOf<N.unix_diag_req>() },
        { "unix_diag_msg", Unsafe.SizeOf<N.unix_diag_msg>() },
        { "unix_diag_vfs", Unsafe.SizeOf<N.unix_diag_vfs>() },
        { "unix_diag_rqlen", Unsafe.SizeOf<N.unix_diag_rqlen>() },
        { "netlink_diag_req", Unsafe.SizeOf<N.netlink_diag_req>() },
        { "netlink_diag_msg", Unsafe.SizeOf<N.netlink_diag_msg>() },
        { "packet_diag_req", Unsafe.SizeOf<N.packet_diag_req>() },
        { "packet_diag_msg", Unsafe.SizeOf<N.packet_diag_msg>() },
        { "packet_diag_mclist", Unsafe.SizeOf<N.packet_diag_mclist>() },
    };

    /// <summary>sizeof as gcc reports it for x86_64/aarch64 Linux (the same on both).</summary>
    private static readonly Dictionary<string, int> s_kernelSizes = new()
    {
        ["nlmsghdr"] = 16,
        ["nlmsgerr"] = 20,
        ["rtattr"] = 4,
        ["sockaddr_nl"] = 12,
        ["inet_diag_sockid"] = 48,
        ["inet_diag_req_v2"] = 56,
        ["inet_diag_msg"] = 72,
        ["unix_diag_req"] = 24,
        ["unix_diag_msg"] = 16,
        ["unix_diag_vfs"] = 8,
        ["unix_diag_rqlen"] = 8,
        ["netlink_diag_req"] = 20,
        ["netlink_diag_msg"] = 28,
        ["packet_diag_req"] = 20,
        ["packet_diag_msg"] = 16,
        ["packet_diag_mclist"] = 44,
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Struct_sizes_match_the_kernel(string name, int size) => Assert.Equal(s_kernelSizes[name], size);

    [Fact]
    public void Field_offsets_match_the_kernel()
    {
        var msg = default(N.inet_diag_msg);
        Assert.Equal(4, Offset(ref msg, ref msg.id.idiag_sport));
        Assert.Equal(InetDiagParser.SourcePortOffset, Offset(ref msg, ref msg.id.idiag_sport));
        Assert.Equal(InetDiagParser.DestinationPortOffset, Offset(ref msg, ref msg.id.idiag_dport));
        Assert.Equal(InetDiagParser.SourceAddressOffset, Offset(ref msg, ref msg.id.idiag_src[0]));
        Assert.Equal(InetDiagParser.DestinationAddressOffset, Offset(ref msg, ref msg.id.idiag_dst[0]));
        Assert.Equal(40, Offset(ref msg, ref msg.id.idiag_if));
        Assert.Equal(56, Offset(ref msg, ref msg.idiag_rqueue));
        Assert.Equal(68, Offset(ref msg, ref msg.idiag_inode));

        var req = default(N.inet_diag_req_v2);
        Assert.Equal(4, Offset(ref req, ref req.idiag_states));
        Assert.Equal(8, Offset(ref req, ref req.id.idiag_sport));

        var unix = default(N.unix_diag_req);
        Assert.Equal(12, Offset(ref unix, ref unix.udiag_show));

        var nl = default(N.netlink_diag_msg);
        Assert.Equal(4, Offset(ref nl, ref nl.ndiag_portid));
        Assert.Equal(16, Offset(ref nl, ref nl.ndiag_ino));

        var packet = default(N.packet_diag_msg);
        Assert.Equal(2, Offset(ref packet, ref packet.pdiag_num));
        Assert.Equal(4, Offset(ref packet, ref packet.pdiag_ino));
    }

    /// <summary>Asks the C compiler, when there is one, to confirm the sizes against the installed uapi headers.</summary>
    [SkippableFact]
    public void Sizes_agree_with_the_installed_kernel_headers()
    {
        string? cc = new[] { "/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang" }.FirstOrDefault(File.Exists);
        Skip.If(cc is null || !File.Exists("/usr/include/linux/inet_diag.h"), "no C compiler or no kernel uapi headers (linux-libc-dev) here");

        string dir = Directory.CreateTempSubdirectory("sockdiag-layout").FullName;
        try
        {
            string source = Path.Combine(dir, "layout.c");
            var lines = new List<string>
            {
                "#include <linux/netlink.h>",
                "#include <linux/rtnetlink.h>",
                "#include <linux/sock_diag.h>",
                "#include <linux/inet_diag.h>",
                "#include <linux/unix_diag.h>",
                "#include <linux/netlink_diag.h>",
                "#include <linux/packet_diag.h>",
            };
            lines.AddRange(s_kernelSizes.Select(kv => $"_Static_assert(sizeof(struct {kv.Key}) == {kv.Value}, \"{kv.Key}\");"));
            File.WriteAllLines(source, lines);

            using var process = Process.Start(new ProcessStartInfo(cc, ["-fsyntax-only", source])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, errors);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int Offset<TStruct, TField>(ref TStruct owner, ref TField field) =>
        (int)Unsafe.ByteOffset(ref Unsafe.As<TStruct, byte>(ref owner), ref Unsafe.As<TField, byte>(ref field));
}
