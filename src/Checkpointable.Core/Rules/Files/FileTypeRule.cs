using Checkpointable.Model;

namespace Checkpointable.Rules.Files;

/// <summary>
/// §5.0/§5.3/§5.6: the file types criu's dump_one_file dispatch refuses outright: block devices, character
/// devices without a driver in criu, anon inodes other than eventfd/epoll/signalfd/timerfd/inotify/fanotify/
/// pidfd, io_uring, O_PATH on sockets and FIFOs, and /dev/net/tun outside an own network namespace.
/// </summary>
public sealed class FileTypeRule : IRule
{
    private static readonly HashSet<string> s_anonOk =
    [
        "anon_inode:[eventfd]", "anon_inode:[eventpoll]", "anon_inode:[signalfd]", "anon_inode:[timerfd]",
        "anon_inode:inotify", "anon_inode:[fanotify]", "anon_inode:[pidfd]",
    ];

    public string Name => nameof(FileTypeRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            foreach (var fd in p.Fds)
            {
                Check(c, p, fd);
            }
        }
    }

    private static void Check(RuleContext c, ProcessSnapshot p, FdEntry fd)
    {
        string res = RuleContext.Fd(fd.Fd);
        void Refuse(string id, string reason, string message, IReadOnlyList<string>? lift = null, bool lifted = false) =>
            c.Report(id, Subsystem.Files, p, res, reason, message, lift: lift, liftedNow: lifted, fd: fd.Fd);

        switch (fd.Kind)
        {
            case FdKind.Socket when !fd.Link.StartsWith("socket:[", StringComparison.Ordinal):
                Refuse("OP2", $"O_PATH descriptor on unix socket file {fd.Link}", "Can't get %d:%d opt: %s (criu/sockets.c:640)");
                break;
            case FdKind.Fifo when fd.Info is { IsPath: true }:
                Refuse("OP3", $"O_PATH descriptor on FIFO {fd.Link}", "Can't obtain piped data size (criu/pipes.c:425)");
                break;
            case FdKind.BlockDevice:
                Refuse("F-BLK", $"block device {fd.Link} ({fd.Stat?.RDevice}): criu cannot dump block device files",
                    $"Can't dump file %d of that type [{fd.Stat?.OctalMode}] (unknown {fd.Link}) (criu/files-ext.c:94)");
                break;
            case FdKind.CharDevice when fd.Stat is { } st:
                CheckCharDevice(c, p, fd, st.RDevice, Refuse);
                break;
            case FdKind.AnonInode when !s_anonOk.Contains(fd.Link):
                CheckAnon(fd, Refuse);
                break;
            case FdKind.Unknown:
                Refuse("F-TYPE", $"{fd.Link}: a file type criu does not know",
                    $"Can't dump file %d of that type [{fd.Stat?.OctalMode ?? "?"}] (reg {fd.Link}) (criu/files-ext.c:94)");
                break;
        }
    }

    private static void CheckAnon(FdEntry fd, Action<string, string, string, IReadOnlyList<string>?, bool> refuse)
    {
        string link = fd.Link;
        if (link == "anon_inode:[io_uring]")
        {
            refuse("F-AN6", "io_uring instance: io_uring files cannot be passed over SCM_RIGHTS to criu",
                "Can't retrieve FDs from socket (criu/parasite-syscall.c:280)", null, false);
            return;
        }

        string id = link switch
        {
            "anon_inode:[perf_event]" => "F-AN7",
            "anon_inode:[userfaultfd]" => "F-AN8",
            "anon_inode:bpf-map" => "F-AN9",
            _ when link.StartsWith("anon_inode:bpf", StringComparison.Ordinal) => "F-AN10",
            _ when link.StartsWith("anon_inode:kvm", StringComparison.Ordinal) => "F-AN11",
            "anon_inode:seccomp notify" => "F-AN12",
            _ => "F-AN13",
        };

        // criu reads the link into a 32-byte buffer first (util.c:487).
        string message = link.Length >= 32
            ? "Buffer for read link of fd %d is too small (criu/util.c:487)"
            : $"Can't dump file %d of that type [600] (anon {link}) (criu/files-ext.c:94)";
        refuse(id, $"{link}: criu cannot dump this kind of anon-inode file", message, null, false);
    }

    private static void CheckCharDevice(RuleContext c, ProcessSnapshot p, FdEntry fd, DeviceId rdev, Action<string, string, string, IReadOnlyList<string>?, bool> refuse)
    {
        string message = $"Can't dump file %d of that type [{fd.Stat?.OctalMode}] (chr {rdev}) (criu/files-ext.c:94)";
        switch (rdev.Major)
        {
            case 1: // mem, null, zero, full, random, urandom, kmsg
            case 5 when rdev.Minor <= 2: // /dev/tty (TtyRule), console, ptmx
            case >= 128 and <= 135: // pty masters
            case 136: // pts
            case 188 or 204: // serial ttys
            case 4 when rdev.Minor is >= 1 and <= 63: // virtual consoles
                return;
            case 4:
                refuse("F-CHR", $"{fd.Link} ({rdev}): criu has no driver for {(rdev.Minor == 0 ? "/dev/tty0" : "serial ttyS lines")}", message, null, false);
                return;
            case >= 137 and <= 143:
                refuse("TTY6", $"{fd.Link} ({rdev}): pts numbers above 255 have no criu driver", message, null, false);
                return;
            case 10 when rdev.Minor == 235: // autofs
                return;
            case 10 when rdev.Minor == 200:
                if (!c.RootHasOwn(NamespaceKind.Net))
                {
                    refuse("TUN1", "/dev/net/tun while the root shares the host network namespace",
                        "Net namespace is required to dump tun link (criu/tun.c:306)", null, false);
                }

                return;
        }

        bool plugin = c.Host.Plugins.Any(x => x.StartsWith("amdgpu", StringComparison.Ordinal)) && rdev.Major is 226 or 238 or 240 or 511;
        refuse("F-CHR", $"character device {fd.Link} ({rdev}): criu has no driver for it{(plugin ? " (a criu plugin may claim it)" : string.Empty)}",
            message, null, plugin);
    }
}
