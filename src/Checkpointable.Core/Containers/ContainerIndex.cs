namespace Checkpointable.Containers;

/// <summary>
/// The containers of the host and their init processes, from one pass over every process's cgroup.
/// A container's init is the process whose parent is outside the container (the runtime's shim or conmon);
/// `docker exec` and `crictl exec` processes have such a parent too, so the one started first wins.
/// </summary>
public sealed class ContainerIndex
{
    private const int MaxIdLength = 64;

    /// <summary>Longer text is not looked up as a name (it is echoed back in the error, so it is bounded).</summary>
    private const int MaxNameLength = 253;

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
    /// The container an id or name names, in the order podman (libpod state LookupContainer) and docker
    /// (daemon GetContainer) try: a full id, then an exact name, then a unique id prefix. An id may carry the
    /// `RUNTIME://` of a Kubernetes containerStatuses[].containerID. Names come from <paramref name="names"/>,
    /// read only when the text is not a full id of a running container.
    /// </summary>
    /// <exception cref="Predict.TargetException">Neither an id nor a name, no such container, or an ambiguous prefix or name.</exception>
    public (ContainerRef Container, int Init) Resolve(string idOrName, Func<ContainerNames>? names = null)
    {
        string typed = StripScheme(idOrName);
        if (_byId.TryGetValue(typed.ToLowerInvariant(), out var exact))
        {
            return exact;
        }

        if (IsName(typed) && names?.Invoke().IdsOf(typed).Where(_byId.ContainsKey).ToList() is { Count: > 0 } named)
        {
            return named.Count == 1
                ? _byId[named[0]]
                : throw new Predict.TargetException($"container name {typed} is ambiguous: {named.Count} running containers have it");
        }

        if (!IsId(typed))
        {
            throw new Predict.TargetException(IsName(typed)
                ? $"no running container named or with ID {typed} on this host (names are read from containers/storage's containers.json and Docker's config.v2.json)"
                : $"'{Sanitise(idOrName)}' is not a container ID or name (1 to 64 hex digits as `docker ps` or `crictl ps` show, or a name as `podman ps` shows)");
        }

        string wanted = typed.ToLowerInvariant();
        var matches = Find(wanted);
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new Predict.TargetException($"no running container with ID {wanted} on this host"),
            _ => throw new Predict.TargetException($"container ID {wanted} is ambiguous: {matches.Count} running containers start with it"),
        };
    }

    /// <summary>Every container whose id starts with <paramref name="prefix"/> (already normalised).</summary>
    public IReadOnlyList<(ContainerRef Container, int Init)> Find(string prefix) =>
        _byId.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(kv => kv.Value).ToList();

    /// <summary>The hex id from what a user typed: trimmed, lower-cased, without a `containerd://` style scheme.</summary>
    /// <exception cref="Predict.TargetException">Not 1 to 64 hex digits.</exception>
    public static string Normalise(string id)
    {
        string s = StripScheme(id);
        return IsId(s)
            ? s.ToLowerInvariant()
            : throw new Predict.TargetException($"'{Sanitise(id)}' is not a container ID (1 to 64 hex digits, e.g. from `docker ps` or `crictl ps`)");
    }

    private static string StripScheme(string id)
    {
        string s = id.Trim();
        int scheme = s.IndexOf("://", StringComparison.Ordinal);
        return scheme >= 0 ? s[(scheme + 3)..] : s;
    }

    private static bool IsId(string s) => s.Length is > 0 and <= MaxIdLength && s.All(char.IsAsciiHexDigit);

    /// <summary>
    /// A name podman and docker accept: `[a-zA-Z0-9][a-zA-Z0-9_.-]*` (podman libpod/define NameRegex, moby
    /// daemon/names validContainerNamePattern).
    /// </summary>
    private static bool IsName(string s) =>
        s.Length is > 0 and <= MaxNameLength && char.IsAsciiLetterOrDigit(s[0]) && s.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-');

    private static string Sanitise(string s) => new(s.Take(80).Select(ch => char.IsControl(ch) ? '?' : ch).ToArray());
}
