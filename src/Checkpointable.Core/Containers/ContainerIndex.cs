namespace Checkpointable.Containers;

/// <summary>
/// The containers of the host and their init processes, from one pass over every process's cgroup.
/// A container's init is the process whose parent is outside the container (the runtime's shim or conmon);
/// `docker exec` and `crictl exec` processes have such a parent too, so the one started first wins.
/// </summary>
public sealed class ContainerIndex
{
    private readonly Dictionary<int, ContainerRef> _byPid = [];
    private readonly Dictionary<string, (ContainerRef Container, int Init)> _byId = new(StringComparer.Ordinal);

    public ContainerIndex(IEnumerable<ContainerProcess> processes)
    {
        var list = processes.Where(p => p.Container is not null).ToList();
        foreach (var p in list)
        {
            _byPid[p.Pid] = p.Container!;
        }

        foreach (var group in list.GroupBy(p => p.Container!.Id, StringComparer.Ordinal))
        {
            var members = group.Select(p => p.Pid).ToHashSet();
            var init = group
                .Where(p => !members.Contains(p.ParentPid))
                .OrderBy(p => p.StartTime)
                .ThenBy(p => p.Pid)
                .FirstOrDefault() ?? group.OrderBy(p => p.StartTime).ThenBy(p => p.Pid).First();

            // The container's own cgroup is the shallowest one its processes name (podman's init sits in .../container).
            var container = group.Select(p => p.Container!).OrderBy(c => c.CgroupPath.Length).First();
            _byId[group.Key] = (container, init.Pid);
        }
    }

    /// <summary>Every container with a live process, by id.</summary>
    public IReadOnlyCollection<(ContainerRef Container, int Init)> Containers => _byId.Values;

    public ContainerRef? Of(int pid) => _byPid.GetValueOrDefault(pid);

    /// <summary>
    /// The container an id names: a full id or a unique prefix of one, as `docker` accepts, optionally with the
    /// `RUNTIME://` of a Kubernetes containerStatuses[].containerID.
    /// </summary>
    /// <exception cref="Predict.TargetException">Not an id, no such container, or an ambiguous prefix.</exception>
    public (ContainerRef Container, int Init) Resolve(string id)
    {
        string wanted = Normalise(id);
        var matches = Find(wanted);
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new Predict.TargetException($"no running container with ID {wanted} on this host (container names are not visible in /proc: give the ID)"),
            _ => throw new Predict.TargetException($"container ID {wanted} is ambiguous: {matches.Count} running containers start with it"),
        };
    }

    /// <summary>Every container whose id starts with <paramref name="prefix"/> (already normalised).</summary>
    public IReadOnlyList<(ContainerRef Container, int Init)> Find(string prefix) =>
        _byId.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(kv => kv.Value).ToList();

    /// <summary>The hex id from what a user typed: trimmed, lower-cased, without a `containerd://` style scheme.</summary>
    public static string Normalise(string id)
    {
        string s = id.Trim();
        int scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            s = s[(scheme + 3)..];
        }

        s = s.ToLowerInvariant();
        if (s.Length is 0 or > 64 || !s.All(char.IsAsciiHexDigitLower))
        {
            throw new Predict.TargetException($"'{Sanitise(id)}' is not a container ID (1 to 64 hex digits, e.g. from `docker ps` or `crictl ps`)");
        }

        return s;
    }

    private static string Sanitise(string s) => new(s.Take(80).Select(ch => char.IsControl(ch) ? '?' : ch).ToArray());
}
