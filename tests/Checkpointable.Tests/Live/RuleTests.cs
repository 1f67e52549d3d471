using Checkpointable.Rules;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Live;

/// <summary>
/// Every rule against a real process in that state and one that is not (tests/subject factories):
/// the verdict, the rule id, the subsystem flag and whether the options lift it.
/// Rows whose outcome depends on tools of this host (iptables) compute the expectation from the host.
/// </summary>
public class RuleTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, int, string?> Cases => new()
    {
        // task
        { "sleep", "", 0, null },
        { "threads", "", 0, null },
        { "tree", "", 0, null },
        { "zombie-child", "", 0, null },
        { "stopped-child", "", 0, "T7" }, // reported as a risk, not a blocker
        { "seccomp", "", 0, null },
        { "nofile-full", "", 1, "T-NOFILE" },
        { "nofile-short", "", 1, "T-NOFILE" },
        { "nofile-room", "", 0, null },
        { "not-session-leader", "", 1, "T20" },
        { "not-session-leader", "--shell-job", 0, "T20" },
        { "ptraced-child", "", 1, "T4" },
        { "sigtrap-pending", "", 1, "T6" },
        { "vfork-parent", "", 1, "T10" },
        { "clone-vm", "", 1, "T16" },
        { "clone-fs", "", 1, "T17" },
        { "zombie-leader-threads", "", 1, "T12" },
        { "zombie-root", "", 1, "T23" },

        // files
        { "file-rw", "", 0, null },
        { "dir-fd", "", 0, null },
        { "opath-file", "", 0, null },
        { "fifo", "", 0, null },
        { "pipe", "", 0, null },
        { "pipe-external", "", 0, null },
        { "memfd", "", 0, null },
        { "eventfd", "", 0, null },
        { "signalfd", "", 0, null },
        { "timerfd", "", 0, null },
        { "inotify", "", 0, null },
        { "epoll", "", 0, null },
        { "pidfd-child", "", 0, null },
        { "nsfs-own", "", 0, null },
        { "dev-null", "", 0, null },
        { "dev-zero", "", 0, null },
        { "dev-urandom", "", 0, null },
        { "fanotify", "", 0, null },
        { "fanotify-fs", "", 0, "FN6" }, // lossy: the mark is dropped
        { "file-deleted-small", "", 0, null },
        { "file-deleted-sparse", "", 0, null },
        { "file-deleted-large", "", 1, "F-REG3" },
        { "file-deleted-large", "--ghost-limit 10M", 0, null },
        { "file-linked-renamed", "", 1, "F-REG4" },
        { "file-linked-renamed", "--link-remap", 0, "F-REG4" },
        { "file-path-replaced", "", 0, null }, // its old inode lost its last name: a small ghost file
        { "file-named-deleted", "", 0, null }, // the name really ends in " (deleted)": not deleted at all
        { "mmap-named-deleted", "", 0, null },
        { "opath-fifo", "", 1, "OP3" },
        { "opath-socket", "", 1, "OP2" },
        { "pipe-packet", "", 1, "P2" },
        { "pipes-1025", "", 1, "P3" },
        { "inotify-deleted-tmpfs", "", 1, "FN2" },
        { "epoll-escaped", "", 1, "E2" },
        { "io-uring", "", 1, "F-AN6" },
        { "io-uring-map-only", "", 1, "M-ANONINODE" },
        { "perf-event", "", 1, "F-AN7" },
        { "userfaultfd", "", 1, "F-AN8" },
        { "bpf-map", "", 1, "F-AN9" },
        { "pidfd-outside", "", 1, "F-AN5" },
        { "nsfs-foreign", "", 1, "NF2" },
        { "dev-fuse", "", 1, "F-CHR" },
        { "dev-tty0", "", 1, "F-CHR" },
        { "dev-net-tun", "", 1, "TUN1" },
        { "dev-block", "", 1, "F-BLK" },
        { "proc-live-pid", "", 0, null },
        { "proc-dead-pid", "", 0, null }, // F-DEADPID: criu's dead-process remap, no option needed
        { "dev-overmounted", "", 1, "F-OVERDEV" },
        { "dev-overmounted", "--link-remap", 1, "F-OVERDEV" }, // the hard link would cross into the covering mount: EXDEV
        { "fifo-overmounted", "--link-remap", 1, "F-REG4" },
        { "file-overmounted", "--link-remap", 1, "F-REG4" },

        // locks
        { "flock", "", 1, "L1" },
        { "flock", "--file-locks", 0, "L1" },
        { "posix-lock", "", 1, "L1" },
        { "posix-lock", "-l", 0, "L1" },
        { "ofd-lock", "", 1, "L1" },
        { "ofd-lock", "--file-locks", 0, "L1" },
        { "lease", "", 1, "L1" },
        { "lease", "--file-locks", 0, "L1" },

        // memory and IPC
        { "mmap-shared-anon", "", 0, null },
        { "mmap-file-shared", "", 0, null },
        { "mmap-deleted-small", "", 0, null },
        { "mmap-deleted-large", "", 1, "M-DEL" },
        { "mmap-deleted-large", "--ghost-limit 10M", 0, null },
        { "mmap-linked-renamed", "", 1, "M-UNLINKED" },
        { "mmap-linked-renamed", "--link-remap", 0, "M-UNLINKED" },
        { "aio-ring", "", 0, null },
        { "sysv-shm", "", 1, "M-SYSV" },
        { "sysv-sem", "", 0, null },
        { "sysv-msg", "", 0, null },

        // sockets
        { "tcp-listen", "", 0, null },
        { "tcp6-listen", "", 0, null },
        { "tcp-listen-pending", "", 1, "I4" },
        { "tcp-listen-pending", "--skip-in-flight", 0, "I4" },
        { "tcp-established-external", "", 1, "I2" },
        { "tcp-established-external", "--tcp-close", 0, "I2" },
        { "tcp-established-external", "--tcp-established --network-lock skip", 0, "I2" },
        { "tcp-established-inside", "", 1, "I2" },
        { "tcp-mapped-inside", "", 1, "I2" },
        { "tcp-close-wait", "", 1, "I2" },
        { "tcp-closed-after-peer", "--network-lock skip", 0, null },
        { "tcp-closed-after-peer", "--tcp-close", 0, null },
        { "udp-bound", "", 0, null },
        { "udp-connected", "", 0, null },
        { "udp-queued", "", 0, "D2" }, // lossy: the queue is dropped
        { "udp-corked", "", 1, "D4" },
        { "udp-otherns", "--network-lock skip", 0, null },
        { "tcp-listen-otherns", "--network-lock skip", 1, "S1" },
        { "unix-socketpair-inside", "", 0, null },
        { "unix-listen-path", "", 0, null },
        { "unix-listen-abstract", "", 0, null },
        { "unix-listen-pending", "", 0, null },
        { "unix-scm-rights", "", 0, "S2" }, // a risk: the in-flight file's type is not shown
        { "unix-listen-closed-pending", "", 1, "U4" },
        { "unix-pending-client-wrote", "", 1, "U4" },
        { "unix-stream-external", "", 1, "U5" },
        { "unix-stream-external", "--ext-unix-sk", 1, "U5" },
        { "unix-socketpair-external", "", 1, "U5" },
        { "unix-dgram-named-external", "", 1, "U6" },
        { "unix-dgram-named-external", "-x", 0, "U6" },
        { "unix-dgram-nameless-external", "", 1, "U7" },
        { "unix-dgram-nameless-external", "-x", 1, "U7" },
        { "unix-passcred-queue", "", 1, "U11" },
        { "netlink-route", "", 0, null },
        { "netlink-unread", "", 1, "NL2" },
        { "netlink-group33", "", 1, "NL3" },
        { "netlink-group-unbound", "", 1, "NL4" },
        { "netlink-unbound", "", 0, null }, // S-NLUNB: "unconnected and unbound" (sk-netlink.c:144)
        { "netlink-unbound-all", "", 0, null }, // every protocol the kernel lets root create
        { "netlink-unbound-foreignns", "", 0, null }, // criu asks the socket's netns only when it dumps the root's
        { "netlink-unbound-otherns", "--network-lock skip", 0, null }, // made in criu's own netns
        { "netlink-unbound-foreignns-ownns", "--network-lock skip", 1, "S-NLUNB" }, // net.c:3718
        { "unix-childns", "", 0, null }, // S-NSANY: found in the child's netns (sockets.c:429-453)
        { "tcp-listen-childns", "--network-lock skip", 0, null },
        { "unix-foreignns", "", 1, "S1" }, // "Unix socket %d not found" (sk-unix.c:351)
        { "packet", "", 0, null },
        { "packet-mc-twice", "", 1, "PK2" },
        { "raw", "", 0, null },
        { "mptcp", "", 1, "S-PROTO" },
        { "vsock", "", 1, "S-FAM" },
        { "af-alg", "", 1, "S-FAM" },

        // ttys
        { "pty-pair", "", 0, null },
        { "setsid-ctty", "", 0, null },
        { "pty-slave-external", "", 1, "TTY3" },
        { "pty-slave-hungup", "", 0, null },
        { "pty-slave-external", "--shell-job", 0, "TTY3" },
        { "shell-job", "", 1, "TTY2" },
        { "shell-job", "--shell-job", 0, "TTY2" },
        { "pty-master-ctty-outside", "", 1, "TTY2" },
        { "pty-master-ctty-outside", "--shell-job", 0, "TTY2" },
        { "pty-pair-devpts-twin", "", 0, null }, // the same pts number of another devpts instance is another session's ctty
        { "dev-tty-no-pty", "", 1, "TTY5" },
        { "dev-tty-no-pty", "--shell-job", 1, "TTY5" },

        // namespaces
        { "ns-uts", "", 0, null },
        { "ns-ipc", "", 0, null },
        { "ns-cgroup", "", 0, null },
        { "ns-pid", "", 0, null },
        { "ns-user", "", 0, null },
        { "ns-time", "", 0, null },
        { "ns-time-children", "", 1, "NS7" },
        { "nested-net-child", "", 0, "NS8" },
        { "ns-net", "--network-lock skip", 0, null },
        { "ns-mnt", "", 1, "M-MNT" },
        { "ns-mnt", "", 1, "F-REG1" },
        { "nested-mnt-child", "", 0, "NS8" }, // M-NS-ANY: its exe, libraries and stdio are on the root's mounts
        { "nested-mnt-child-file", "", 1, "F-REG4" }, // criu resolves its tmpfs path from its own "/"
        { "nested-mnt-child-file", "--link-remap", 1, "F-REG4" },
        { "chroot", "", 0, null }, // M-CHROOT: in criu's mount namespace
        { "ns-mnt-chroot", "", 1, "F-REG12" },
        { "ns-pid-not-init", "", 1, "T22" },
        { "ns-user-unmapped", "", 1, "NR7" },
        { "nested-uts-child", "", 1, "NS1" },
        { "nested-pid-child", "", 1, "NS3" },
    };

    /// <summary>States whose verdict depends on criu's lock tools being installed here.</summary>
    public static TheoryData<string, string, string> HostDependent => new()
    {
        { "tcp-established-external", "--tcp-established", "I3" },
        { "tcp-closed-after-peer", "", "I3" },
        { "ns-net", "", "N-NET1" },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void JudgesLikeCriu(string factory, string options, int expected, string? rule)
    {
        using var subject = Subject.StartOrSkip(factory);

        var j = LiveJudge.Run(subject.RootPid, LiveJudge.Tokens(options));
        string text = LiveJudge.Describe(j);
        output.WriteLine(text);
        // The table holds what criu does as root; without root some evidence is unreadable (map_files needs CAP_SYS_ADMIN).
        Skip.If(j.Verdict == Verdict.Undecided && !Environment.IsPrivilegedProcess, "needs root: some of the tree's evidence is unreadable without it");
        Assert.True(expected == (int)j.Verdict, $"{factory} {options}: expected exit {expected}, got {(int)j.Verdict}\n{text}");
        if (rule is null)
        {
            Assert.DoesNotContain(j.Findings, f => f.Blocks);
            return;
        }

        var finding = j.Findings.FirstOrDefault(f => f.RuleId == rule);
        Assert.True(finding is not null, $"{factory}: expected a {rule} finding\n{text}");
        if (expected == 1)
        {
            Assert.True(finding.Blocks, $"{rule} should block\n{text}");
            Assert.False(j.IsCheckpointable(finding.Pid, finding.Subsystem), $"{finding.Subsystem} flag should be 0");
        }
        else
        {
            Assert.False(finding.Blocks, $"{rule} should not block here\n{text}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(HostDependent))]
    public void NetworkLockDependsOnTheHostTools(string factory, string options, string rule)
    {
        using var subject = Subject.StartOrSkip(factory);

        var j = LiveJudge.Run(subject.RootPid, LiveJudge.Tokens(options));
        bool ipv4Lock = LiveJudge.Host.HasTool(rule == "N-NET1" ? "iptables-restore" : "iptables")
            && (rule != "N-NET1" || LiveJudge.Host.HasTool("ip6tables-restore"));
        output.WriteLine(LiveJudge.Describe(j));
        Assert.Equal(ipv4Lock, !j.Findings.Any(f => f.RuleId == rule && f.Blocks));
    }

    /// <summary>The command the tool suggests must be one it judges checkpointable (the options' own requirements included).</summary>
    [SkippableTheory]
    [InlineData("not-session-leader")]
    [InlineData("file-deleted-large")]
    [InlineData("flock")]
    [InlineData("tcp-established-external")]
    [InlineData("tcp-closed-after-peer")]
    [InlineData("unix-stream-external")]
    [InlineData("unix-dgram-nameless-external")]
    [InlineData("pty-slave-external")]
    [InlineData("shell-job")]
    [InlineData("ns-pid-not-init")]
    [InlineData("ns-net")]
    [InlineData("nested-mnt-child-file")]
    [InlineData("dev-overmounted")]
    [InlineData("mnt-ns-crossed-unlinked")]
    [InlineData("ns-mnt")] // mapped files and the stdio opened before unshare(CLONE_NEWNS) both need --external file[…]
    public void SuggestedOptionsLiftEveryBlocker(string factory)
    {
        using var subject = Subject.StartOrSkip(factory);

        var before = LiveJudge.Run(subject.RootPid, []);
        output.WriteLine(LiveJudge.Describe(before));
        Assert.Equal(Verdict.NotCheckpointable, before.Verdict);
        Assert.NotNull(before.MissingOptions);
        var tokens = before.MissingOptions!.SelectMany(LiveJudge.Tokens).ToArray();
        var after = LiveJudge.Run(subject.RootPid, tokens);
        output.WriteLine(LiveJudge.Describe(after));
        Assert.Equal(Verdict.Checkpointable, after.Verdict);
    }

    /// <summary>The peer is found across address families: a dual-stack socket's ::ffff:127.0.0.1 is 127.0.0.1.</summary>
    [SkippableTheory]
    [InlineData("tcp-established-inside", "peer inside the tree")]
    [InlineData("tcp-mapped-inside", "peer inside the tree")]
    [InlineData("tcp-established-external", "peer outside the tree")]
    public void TcpPeerIsPlaced(string factory, string place)
    {
        using var subject = Subject.StartOrSkip(factory);
        var j = LiveJudge.Run(subject.RootPid, []);
        output.WriteLine(LiveJudge.Describe(j));
        var connections = j.Findings.Where(f => f.RuleId == "I2").ToList();
        Assert.NotEmpty(connections);
        Assert.All(connections, f => Assert.Contains(place, f.Reason, StringComparison.Ordinal));
    }

    /// <summary>
    /// F-REG4 across mount namespaces: criu resolves (and link-remaps) a path from the root of the namespace of the
    /// file's mount, opened through the first task in it (files-reg.c:1397, 1155 mntns_get_root_fd(mi->nsid)), not
    /// from its holder's root: a file of the child's namespace held by the root, and one of the root's that the
    /// child unmounted, both resolve (zdtm's inotify01, mntns_pivot_root); unlinked names beside another link need
    /// --link-remap, which links on the file's own mount (mntns_link_remap). Checked with criu 4.2: the tree dumps
    /// with the --external file[…] of its stdio, exe and libraries (opened in criu's namespace), the unlinked
    /// one only with --link-remap too.
    /// </summary>
    [SkippableTheory]
    [InlineData("mnt-ns-crossed", "", false)]
    [InlineData("mnt-ns-crossed-unlinked", "", true)]
    [InlineData("mnt-ns-crossed-unlinked", "--link-remap", false)]
    public void PathsResolveFromTheNamespaceOfTheirMount(string factory, string options, bool blocks)
    {
        using var subject = Subject.StartOrSkip(factory);

        var j = LiveJudge.Run(subject.RootPid, LiveJudge.Tokens(options));
        output.WriteLine(LiveJudge.Describe(j));
        var paths = j.Findings.Where(f => f.RuleId is "F-REG4" or "F-REG5" or "F-OVERDEV").ToList();
        if (blocks)
        {
            Assert.Equal(2, paths.Count(f => f.Blocks && f.Reason.Contains("/mnt-", StringComparison.Ordinal)));
            Assert.All(paths, f => Assert.Contains("--link-remap", f.Lift));
        }
        else
        {
            Assert.DoesNotContain(paths, f => f.Blocks);
        }
    }

    /// <summary>F-REG5: a file bind-mounted over the path of an open file makes the path name another inode.</summary>
    [SkippableFact]
    public void PathNowNamingAnotherFileIsRefused()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root to bind-mount");

        using var subject = Subject.StartOrSkip("file-rw");
        var fd = new DirectoryInfo($"/proc/{subject.RootPid}/fd").GetFileSystemInfos()
            .Select(f => f.LinkTarget).First(t => t is not null && t.StartsWith("/tmp", StringComparison.Ordinal))!;
        var before = LiveJudge.Run(subject.RootPid, []);
        Assert.DoesNotContain(before.Findings, f => f.RuleId == "F-REG5");

        string other = Path.GetTempFileName();
        Assert.Equal(0, Run("mount", "--bind", other, fd));
        try
        {
            var after = LiveJudge.Run(subject.RootPid, []);
            output.WriteLine(LiveJudge.Describe(after));
            Assert.Contains(after.Findings, f => f.RuleId == "F-REG5" && f.Blocks);
        }
        finally
        {
            Run("umount", fd);
            File.Delete(other);
        }
    }

    /// <summary>N-NET2: in the root's own network namespace, veth and bridge devices are dumped, an ifb device is refused.</summary>
    [SkippableFact]
    public void UnsupportedNetDeviceInOwnNamespaceIsRefused()
    {
        using var subject = Subject.StartOrSkip("ns-net");

        string pid = subject.RootPid.ToString();
        Assert.Equal(0, Run("nsenter", "-t", pid, "-n", "sh", "-c", "ip link add v0 type veth peer name v1 && ip link add br0 type bridge"));
        var supported = LiveJudge.Run(subject.RootPid, ["--network-lock", "skip"]);
        output.WriteLine(LiveJudge.Describe(supported));
        Assert.Equal(Verdict.Checkpointable, supported.Verdict);

        Skip.If(Run("nsenter", "-t", pid, "-n", "ip", "link", "add", "ifb0", "type", "ifb") != 0, "this kernel cannot create an ifb device");

        var refused = LiveJudge.Run(subject.RootPid, ["--network-lock", "skip"]);
        output.WriteLine(LiveJudge.Describe(refused));
        var finding = Assert.Single(refused.Findings, f => f.RuleId == "N-NET2");
        Assert.True(finding.Blocks);
        Assert.Contains("ifb0", finding.Reason);
        Assert.StartsWith("--external net[", finding.Lift[0]);
    }

    /// <summary>F-REG2: a file on a mount that another mount now covers (criu's overmount2 experiment).</summary>
    [SkippableFact]
    public void FileOnAnOvermountedMountIsRefused()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root to mount");

        string dir = Directory.CreateTempSubdirectory("overmount").FullName;
        Assert.Equal(0, Run("mount", "-t", "tmpfs", "lower", dir));
        System.Diagnostics.Process? holder = null;
        try
        {
            File.WriteAllText(Path.Combine(dir, "f"), "data");
            holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(
                "setsid", ["sh", "-c", $"exec 3<'{dir}/f' </dev/null >/dev/null 2>&1; exec sleep 60"]))!;
            int pid = WaitForFd(holder.Id, $"{dir}/f");
            Assert.DoesNotContain(LiveJudge.Run(pid, []).Findings, f => f.RuleId == "F-REG2");

            Assert.Equal(0, Run("mount", "-t", "tmpfs", "upper", dir));
            try
            {
                var j = LiveJudge.Run(pid, []);
                output.WriteLine(LiveJudge.Describe(j));
                var finding = Assert.Single(j.Findings, f => f.RuleId == "F-REG2");
                Assert.True(finding.Blocks);
                Assert.Equal(3, finding.Fd);
            }
            finally
            {
                Run("umount", dir);
            }
        }
        finally
        {
            if (holder is { HasExited: false })
            {
                holder.Kill(true);
                holder.WaitForExit();
            }

            Run("umount", dir);
            Directory.Delete(dir, true);
        }
    }

    /// <summary>The pid (the holder itself, or the child it exec'd into) that has <paramref name="path"/> open as fd 3.</summary>
    private static int WaitForFd(int pid, string path)
    {
        for (int i = 0; i < 100; i++)
        {
            try
            {
                if (new FileInfo($"/proc/{pid}/fd/3").LinkTarget == path && File.ReadAllText($"/proc/{pid}/comm").Trim() == "sleep")
                {
                    return pid;
                }
            }
            catch (IOException)
            {
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"{pid} never held {path}");
    }

    /// <summary>M2: a bind mount whose file system's root is mounted nowhere in the dumped mount namespace.</summary>
    [SkippableFact]
    public void BindMountWithoutItsRootIsRefused()
    {
        using var subject = Subject.StartOrSkip("ns-mnt");

        var before = LiveJudge.Run(subject.RootPid, []);
        Assert.DoesNotContain(before.Findings, f => f.RuleId == "M2");

        string a = Directory.CreateTempSubdirectory("m2a").FullName, b = Directory.CreateTempSubdirectory("m2b").FullName;
        try
        {
            Assert.Equal(0, Run("nsenter", "-t", subject.RootPid.ToString(), "-m", "sh", "-c",
                $"mount -t tmpfs none {a} && mkdir {a}/sub && mount --bind {a}/sub {b} && umount -l {a}"));
            var after = LiveJudge.Run(subject.RootPid, []);
            output.WriteLine(LiveJudge.Describe(after));
            var m2 = Assert.Single(after.Findings, f => f.RuleId == "M2");
            Assert.True(m2.Blocks);
            Assert.Equal($"--external mnt[{b}]:{b.Trim('/').Replace('/', '-')}", m2.Lift[0]);
            // mnt[] takes as external only mounts criu finds in its own namespace (mount.c resolve_external_mounts):
            // this tmpfs is only in the root's, so criu 4.2 still says "doesn't have a proper root mount".
            Assert.Contains(LiveJudge.Run(subject.RootPid, ["--external", "mnt[]"]).Findings, f => f.RuleId == "M2" && f.Blocks);
            Assert.DoesNotContain(LiveJudge.Run(subject.RootPid, ["--external", m2.Lift[0]["--external ".Length..]]).Findings, f => f.RuleId == "M2"); // mnt[MOUNTPOINT]:KEY, as runc passes it
        }
        finally
        {
            Directory.Delete(a, true);
            Directory.Delete(b, true);
        }
    }

    private static int Run(string file, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        p.WaitForExit();
        return p.ExitCode;
    }

    [SkippableTheory]
    [InlineData("dev-block")]
    [InlineData("io-uring")]
    [InlineData("dev-tty-no-pty")]
    public void NoSuggestionWhenNoOptionHelps(string factory)
    {
        using var subject = Subject.StartOrSkip(factory);

        var j = LiveJudge.Run(subject.RootPid, []);
        Assert.Equal(Verdict.NotCheckpointable, j.Verdict);
        Assert.Null(j.MissingOptions);
    }
}
