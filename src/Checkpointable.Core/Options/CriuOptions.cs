namespace Checkpointable.Options;

/// <summary>How criu would lock TCP connections (--network-lock; criu/include/cr_options.h).</summary>
public enum NetworkLockMethod
{
    Iptables,
    Nftables,
    Skip,
}

/// <summary>
/// The effective `criu dump` options: config files, then the command line, in criu's order
/// (config.c parse_options). Only options that change a verdict are kept as fields; the rest are
/// accepted and listed in <see cref="Ignored"/> so that a pasted criu command line still works.
/// </summary>
public sealed class CriuOptions
{
    public const long DefaultGhostLimit = 1 << 20;

    public bool ShellJob { get; set; }

    public bool FileLocks { get; set; }

    public bool TcpEstablished { get; set; }

    public bool TcpClose { get; set; }

    public bool SkipInFlight { get; set; }

    public bool LinkRemap { get; set; }

    public bool AllowUprobes { get; set; }

    public bool EvasiveDevices { get; set; }

    public bool ForceIrmap { get; set; }

    public bool TrackMem { get; set; }

    public bool Unprivileged { get; set; }

    /// <summary>-x/--ext-unix-sk without inodes: datagram sockets connected to a named socket outside the tree.</summary>
    public bool ExtUnixSk { get; set; }

    /// <summary>--empty-ns net: the root's own network namespace is dumped without its devices, addresses, routes or rules (net.c dump_net_ns).</summary>
    public bool EmptyNetNs { get; set; }

    /// <summary>
    /// RPC-only `orphan_pts_master` (cr-service.c; runc always sets it): one pty slave whose master is outside
    /// the tree is accepted (tty.c tty_verify_active_pairs). No command-line form: never parsed from tokens.
    /// </summary>
    public bool OrphanPtsMaster { get; set; }

    public long GhostLimit { get; set; } = DefaultGhostLimit;

    public NetworkLockMethod NetworkLock { get; set; } = NetworkLockMethod.Iptables;

    /// <summary>--file-validation filesize skips the build-id reopen (F-REG8).</summary>
    public string FileValidation { get; set; } = "buildid";

    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// --external mnt[] (or mnt[]:m, mnt[]:s, --ext-mount-map auto): mounts of the dumped namespaces that criu
    /// finds in its own mount namespace become external (mount.c:77-91 ext_mount_parse_auto, resolve_external_mounts).
    /// </summary>
    public bool AutodetectExternalMounts { get; set; }

    /// <summary>--enable-external-sharing or mnt[]:s: autodetection takes shared mounts too (mount.c:867-873).</summary>
    public bool EnableExternalSharing { get; set; }

    /// <summary>--enable-external-masters or mnt[]:m: autodetection takes slave mounts too (mount.c:875-887).</summary>
    public bool EnableExternalMasters { get; set; }

    /// <summary>Every --external KEY (and -x INO as unix[INO]), as given; mnt[]… sets the three flags above instead.</summary>
    public List<string> External { get; } = [];

    public List<string> EnableFs { get; } = [];

    public List<string> SkipMounts { get; } = [];

    public List<string> InheritFd { get; } = [];

    public string? FreezeCgroup { get; set; }

    public string? LibDir { get; set; }

    /// <summary>
    /// Not a criu option but ours (--criu-caps): the credentials and capabilities criu is assumed to run with.
    /// Kept here because it travels with the options to every judgement; criu's parser never sets it.
    /// </summary>
    public CriuCaps CriuCaps { get; set; } = CriuCaps.Self;

    /// <summary>Options accepted for compatibility that do not change a dump verdict (-D, -o, -v4, --leave-running, …).</summary>
    public List<string> Ignored { get; } = [];

    /// <summary>Config files that were read, in order.</summary>
    public List<string> ConfigFiles { get; } = [];

    /// <summary>Every token applied so far (config files first, then the command line), to derive variants.</summary>
    public List<string> Tokens { get; } = [];

    /// <summary>The same options plus more, e.g. ["--tcp-established", "--ghost-limit 3M"] (a value after one space).</summary>
    public CriuOptions With(IEnumerable<string> extra)
    {
        var copy = new CriuOptions();
        var tokens = new List<string>(Tokens);
        foreach (var e in extra)
        {
            int sp = e.IndexOf(' ');
            if (sp > 0)
            {
                tokens.Add(e[..sp]);
                tokens.Add(e[(sp + 1)..]);
            }
            else
            {
                tokens.Add(e);
            }
        }

        CriuOptionParser.Apply(copy, tokens);
        copy.ConfigFiles.AddRange(ConfigFiles);
        copy.CriuCaps = CriuCaps;
        copy.OrphanPtsMaster = OrphanPtsMaster;
        return copy;
    }

    public bool HasExternal(string key) => External.Contains(key, StringComparer.Ordinal);

    /// <summary>--external unix[INO] or -x INO (sk-unix.c unix_sk_ids).</summary>
    public bool IsExternalUnix(ulong inode) => HasExternal($"unix[{inode}]");

    /// <summary>--external pid[INO]:KEY or net[INO]:KEY (namespaces.c: the key after ':' is free text).</summary>
    public bool IsExternalNamespace(string kind, ulong inode) =>
        External.Any(e => e.StartsWith($"{kind}[{inode}]:", StringComparison.Ordinal));

    /// <summary>--external file[MNT:INO] with both in hex (files-reg.c: "file[%x:%llx]").</summary>
    public bool IsExternalFile(int mountId, ulong inode) => HasExternal($"file[{mountId:x}:{inode:x}]");

    public bool IsExternalTty(Model.DeviceId rdev, Model.DeviceId dev) => HasExternal($"tty[{rdev.GlibcDevT:x}:{dev.GlibcDevT:x}]");

    /// <summary>--external mnt[MOUNTPOINT]:KEY (mount.c ext_mount_lookup; the bare form is accepted too).</summary>
    public bool IsExternalMount(string mountPoint) =>
        External.Any(e => e.StartsWith($"mnt[{mountPoint}]", StringComparison.Ordinal) && (e.Length == mountPoint.Length + 5 || e[mountPoint.Length + 5] == ':'));

    public bool HasExternalMounts => External.Any(e => e.StartsWith("mnt[", StringComparison.Ordinal) || e.StartsWith("dev[", StringComparison.Ordinal));
}
