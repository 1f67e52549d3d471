namespace Checkpointable.Containers;

/// <summary>
/// What a container's OCI runtime configuration (the bundle's config.json, runtime-spec config.md) says that
/// changes how its runtime checkpoints it: the namespaces it was given, each by type (`pid`, `network`, `ipc`,
/// `mount`, …) with the path it joins or null when the runtime made a new one, and the annotations (podman
/// records `--rm` as `io.podman.annotations.autoremove`).
/// </summary>
public sealed record OciSpec(IReadOnlyDictionary<string, string?> Namespaces, IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>runtime-spec config-linux.md namespace types.</summary>
    public const string PidNamespace = "pid", NetworkNamespace = "network";

    /// <summary>True when the namespace of that type is joined by path (`--pid container:X`, `--network ns:PATH`), not made new.</summary>
    public bool JoinsByPath(string type) => Namespaces.TryGetValue(type, out var path) && !string.IsNullOrEmpty(path);
}
