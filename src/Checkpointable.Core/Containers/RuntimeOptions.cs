using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;

namespace Checkpointable.Containers;

/// <summary>
/// The criu options runc and crun add on their own when they checkpoint a container (runc
/// libcontainer/criu_linux.go Checkpoint; crun src/libcrun/criu.c), so a container is judged as
/// `runc checkpoint` / `podman container checkpoint` / the kubelet checkpoint API would dump it:
/// <list type="bullet">
/// <item>`--manage-cgroups` (runc's ManageCgroups: true; no verdict depends on it);</item>
/// <item>`--external mnt[DEST]:DEST` for every bind mount of the container's config and every masked
/// path (runc addCriuDumpMount, addMaskPaths): from outside, each mount whose root is not its file
/// system's root (binds of a file or directory, /dev/null over /proc/kcore, …);</item>
/// <item>`--external net[INO]:extRootNetNS` when the container's network namespace is not ours: Docker,
/// Podman and the CRI runtimes give runc a path to it, and runc then dumps it as external.</item>
/// </list>
/// `--tcp-established`, `--file-locks`, `--ext-unix-sk` and `--shell-job` are added by runc only when its
/// caller asks (`runc checkpoint --tcp-established`, `podman container checkpoint --tcp-established`), so
/// they are the user's to give, as criu options after `--container ID`.
/// </summary>
public static class RuntimeOptions
{
    public const string ExternalNetKey = "extRootNetNS";

    /// <param name="mounts">The container's mount table; ignored when it shares the host's mount namespace.</param>
    public static IReadOnlyList<string> For(IReadOnlyList<MountEntry> mounts, (ulong Net, ulong Mnt) container, (ulong Net, ulong Mnt) host)
    {
        var tokens = new List<string> { "--manage-cgroups" };
        if (container.Net != 0 && container.Net != host.Net)
        {
            tokens.Add("--external");
            tokens.Add($"net[{container.Net}]:{ExternalNetKey}");
        }

        foreach (var m in mounts.Where(_ => container.Mnt != host.Mnt).Where(m => m.Root != "/" && m.MountPoint != "/").DistinctBy(m => m.MountPoint))
        {
            tokens.Add("--external");
            tokens.Add($"mnt[{m.MountPoint}]:{m.MountPoint}");
        }

        return tokens;
    }

    /// <summary>Reads the container init's mounts and namespaces, and ours: criu runs where we run, and so judges "own" namespaces against ours.</summary>
    public static IReadOnlyList<string> Read(int initPid)
    {
        var reader = new ProcReader();
        var mounts = reader.ReadText($"/proc/{initPid}/mountinfo", record: false) is { } text ? MountInfoParser.Parse(text) : [];
        string pid = initPid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return For(mounts, (Namespace(reader, pid, "net"), Namespace(reader, pid, "mnt")), (Namespace(reader, "self", "net"), Namespace(reader, "self", "mnt")));
    }

    private static ulong Namespace(ProcReader reader, string pid, string kind) =>
        reader.ReadLink($"/proc/{pid}/ns/{kind}", record: false) is { } link ? FdEntry.ParseBracketInode(link) : 0;
}
