namespace Checkpointable.Containers;

/// <summary>
/// Recognises a container in a cgroup path, as the runtimes name their cgroups (fixtures and their sources:
/// tests/Checkpointable.Tests/Fixtures/cgroup/README.md):
/// systemd driver `docker-ID.scope`, `libpod-ID.scope`, `crio-ID.scope`, `cri-containerd-ID.scope`, `nerdctl-ID.scope`;
/// cgroupfs driver `/docker/ID`, `/libpod_parent/libpod-ID`, `/kubepods[/QOS]/podUID/ID`, `…/podUID/crio-ID`.
/// The monitor processes beside a container (`libpod-conmon-ID.scope`, `crio-conmon-ID.scope`) are not the
/// container. The deepest match wins, so a process in a sub-cgroup (podman's `libpod-ID.scope/container`) or a
/// container nested in another belongs to the innermost one.
/// </summary>
public static class ContainerPath
{
    private const int IdLength = 64;

    private static readonly (string Prefix, string Runtime)[] s_scopes =
    [
        ("docker-", "docker"),
        ("libpod-", "podman"),
        ("crio-", "cri-o"),
        ("cri-containerd-", "containerd"),
        ("nerdctl-", "containerd"),
    ];

    public static ContainerRef? Match(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            if (Component(parts, i) is { } found)
            {
                string dir = "/" + string.Join('/', parts, 0, i + 1);
                return new ContainerRef(found.Runtime, found.Id, dir, PodUid(parts, i));
            }
        }

        return null;
    }

    /// <summary>The container of a process from its /proc/PID/cgroup lines: the v2 line first, then systemd's v1 line, then the rest.</summary>
    public static ContainerRef? Match(IReadOnlyList<CgroupLine> lines)
    {
        foreach (var line in lines.OrderBy(l => l.IsUnified ? 0 : l.Controllers == "name=systemd" ? 1 : 2))
        {
            if (Match(line.Path) is { } c)
            {
                return c;
            }
        }

        return null;
    }

    private static (string Runtime, string Id)? Component(string[] parts, int i)
    {
        string name = parts[i];
        if (name.EndsWith(".scope", StringComparison.Ordinal))
        {
            name = name[..^".scope".Length];
        }

        foreach (var (prefix, runtime) in s_scopes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && IsId(name.AsSpan(prefix.Length)))
            {
                return (runtime, name[prefix.Length..]);
            }
        }

        // A bare id is a container only where a runtime puts one: under /docker, under a pod, or under podman's parent.
        if (i > 0 && IsId(name))
        {
            string parent = parts[i - 1];
            if (parent == "docker")
            {
                return ("docker", name);
            }

            if (parent == "libpod_parent")
            {
                return ("podman", name);
            }

            if (PodUidOf(parent) is not null && parts.Take(i).Any(IsKubePods))
            {
                return ("kubernetes", name);
            }
        }

        return null;
    }

    /// <summary>`kubepods…` (kubelet's cgroup root) or `kubelet-kubepods…` (kind and others with a kubelet.slice parent).</summary>
    private static bool IsKubePods(string part) => part.StartsWith("kubepods", StringComparison.Ordinal) || part.StartsWith("kubelet-kubepods", StringComparison.Ordinal);

    private static string? PodUid(string[] parts, int below)
    {
        for (int i = below - 1; i >= 0; i--)
        {
            if (PodUidOf(parts[i]) is { } uid)
            {
                return uid;
            }
        }

        return null;
    }

    /// <summary>`podUID` (cgroupfs) or `kubepods[-QOS]-podUID.slice` (systemd, '-' of the UID escaped as '_').</summary>
    private static string? PodUidOf(string part)
    {
        if (part.EndsWith(".slice", StringComparison.Ordinal))
        {
            int at = part.LastIndexOf("-pod", StringComparison.Ordinal);
            return at >= 0 && IsKubePods(part) ? Uid(part[(at + 4)..^".slice".Length].Replace('_', '-')) : null;
        }

        return part.StartsWith("pod", StringComparison.Ordinal) ? Uid(part[3..]) : null;
    }

    /// <summary>A pod UID: a UUID (8-4-4-4-12 hex), or the 32-hex hash kubelet gives a static pod.</summary>
    private static string? Uid(string s) =>
        (s.Length == 36 && s.Count(ch => ch == '-') == 4 || s.Length == 32) && s.All(ch => ch == '-' || char.IsAsciiHexDigitLower(ch)) ? s : null;

    private static bool IsId(ReadOnlySpan<char> s)
    {
        if (s.Length != IdLength)
        {
            return false;
        }

        foreach (char ch in s)
        {
            if (!char.IsAsciiHexDigitLower(ch))
            {
                return false;
            }
        }

        return true;
    }
}
