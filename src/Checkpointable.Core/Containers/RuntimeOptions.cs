using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;

namespace Checkpointable.Containers;

/// <summary>
/// The criu request runc 1.1.5 makes when it checkpoints a container (libcontainer/container_linux.go
/// `(*linuxContainer).Checkpoint`; later runc moved it to libcontainer/criu_linux.go), so a container is judged
/// as `runc checkpoint` / `podman container checkpoint` / the kubelet checkpoint API would dump it:
/// <list type="bullet">
/// <item>`--manage-cgroups` (ManageCgroups: true; no verdict depends on it);</item>
/// <item>`orphan_pts_master: true`, an RPC-only option (criu/cr-service.c; criu/tty.c
/// tty_verify_active_pairs then accepts one pty slave whose master is outside the tree: the console
/// conmon or the shim holds for a `-t` container);</item>
/// <item>`--empty-ns net`: runc's checkpoint command always sets CLONE_NEWNET in EmptyNs (checkpoint.go
/// setEmptyNsMask, "Runc doesn't manage network devices"), so criu dumps no device, address, route or
/// rule of the container's own network namespace (criu/net.c dump_net_ns);</item>
/// <item>`--external net[INO]:extRootNetNS` and `--external pid[INO]:extRootPidNS` only for a namespace the
/// container's config gives by path (`--network ns:PATH`, `--network container:X`, `--pid container:X`;
/// handleCheckpointingExternalNamespaces: `nsPath == ""` adds nothing);</item>
/// <item>`--external mnt[DEST]:DEST` for every bind mount of the container's config and every masked
/// path (addCriuDumpMount, addMaskPaths): from outside, each mount whose root is not its file
/// system's root (binds of a file or directory, /dev/null over /proc/kcore, …);</item>
/// <item>the configuration file /etc/criu/runc.conf, or the one the `org.criu.config` annotation names, none
/// when it is empty (handleCriuConfigurationFile).</item>
/// </list>
/// `--tcp-established`, `--file-locks`, `--ext-unix-sk` and `--shell-job` are added by runc only when its
/// caller asks (`runc checkpoint --tcp-established`, `podman container checkpoint --tcp-established`), so
/// they are the user's to give, as criu options after `--container ID`.
/// </summary>
public static class RuntimeOptions
{
    /// <summary>runc criuNsToKey: "extRoot" + the namespace's name + "NS".</summary>
    public const string ExternalNetKey = "extRootNetNS", ExternalPidKey = "extRootPidNS";

    /// <summary>runc handleCriuConfigurationFile: the default file and the annotation that replaces it.</summary>
    public const string RuncConfigFile = "/etc/criu/runc.conf", ConfigAnnotation = "org.criu.config";

    /// <param name="mounts">The container's mount table; ignored when it shares the host's mount namespace.</param>
    /// <param name="container">The inodes of the init's net, mnt and pid namespaces.</param>
    /// <param name="host">Ours: criu runs where we run.</param>
    /// <param name="spec">The container's OCI config; null when it could not be read (no namespace is then taken as given by path).</param>
    public static IReadOnlyList<string> For(IReadOnlyList<MountEntry> mounts, (ulong Net, ulong Mnt, ulong Pid) container, (ulong Net, ulong Mnt) host, OciSpec? spec)
    {
        var tokens = new List<string> { "--manage-cgroups", "--empty-ns", "net" };
        if (container.Net != 0 && spec?.JoinsByPath(OciSpec.NetworkNamespace) == true)
        {
            tokens.Add("--external");
            tokens.Add($"net[{container.Net}]:{ExternalNetKey}");
        }

        // runc stats the path it was given; the container joined that namespace, so it is the init's own.
        if (container.Pid != 0 && spec?.JoinsByPath(OciSpec.PidNamespace) == true)
        {
            tokens.Add("--external");
            tokens.Add($"pid[{container.Pid}]:{ExternalPidKey}");
        }

        foreach (var m in mounts.Where(_ => container.Mnt != host.Mnt).Where(m => m.Root != "/" && m.MountPoint != "/").DistinctBy(m => m.MountPoint))
        {
            tokens.Add("--external");
            tokens.Add($"mnt[{m.MountPoint}]:{m.MountPoint}");
        }

        return tokens;
    }

    /// <summary>The configuration file runc names in its request, or null when the annotation asks for none.</summary>
    public static string? ConfigFile(OciSpec? spec) =>
        spec is not null && spec.Annotations.TryGetValue(ConfigAnnotation, out var file) ? (file.Length > 0 ? file : null) : RuncConfigFile;

    /// <summary>Reads the container init's mounts and namespaces, ours, and the container's OCI config from disk.</summary>
    public static RuntimeRequest Read(ContainerRef container, int initPid)
    {
        var reader = new ProcReader();
        var mounts = reader.ReadText($"/proc/{initPid}/mountinfo", record: false) is { } text ? MountInfoParser.Parse(text) : [];
        string pid = initPid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var spec = ContainerBundle.ReadSpec(container.Id, initPid, ContainerStorage.Read());
        var tokens = For(
            mounts,
            (Namespace(reader, pid, "net"), Namespace(reader, pid, "mnt"), Namespace(reader, pid, "pid")),
            (Namespace(reader, "self", "net"), Namespace(reader, "self", "mnt")),
            spec);
        return new RuntimeRequest(tokens, OrphanPtsMaster: true, ConfigFile(spec), RuntimeRefusal.Of(container, spec));
    }

    private static ulong Namespace(ProcReader reader, string pid, string kind) =>
        reader.ReadLink($"/proc/{pid}/ns/{kind}", record: false) is { } link ? FdEntry.ParseBracketInode(link) : 0;
}
