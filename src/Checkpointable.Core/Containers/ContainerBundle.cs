using Checkpointable.Probes.ProcFs;

namespace Checkpointable.Containers;

/// <summary>
/// Finds a running container's OCI config.json (its bundle) on disk, never by asking the runtime:
/// the `-b`/`--bundle` argument of the init's parent when that is conmon (Podman and CRI-O:
/// podman libpod/oci_conmon_common.go createOCIContainer passes `-b bundlePath`), else where each runtime
/// writes it: podman `GRAPHROOT/DRIVER-containers/ID/userdata` (libpod container.go bundlePath = StaticDir),
/// CRI-O `RUNROOT/DRIVER-containers/ID/userdata`, containerd's shim (Docker, Kubernetes)
/// `/run/containerd/io.containerd.runtime.v2.task/NAMESPACE/ID`.
/// </summary>
public static class ContainerBundle
{
    public const string ContainerdTasks = "/run/containerd/io.containerd.runtime.v2.task";

    private const string ConfigFile = "config.json";

    /// <summary>The container's OCI spec, or null when no bundle is found or readable.</summary>
    public static OciSpec? ReadSpec(string id, int init, ContainerStorage storage, string procRoot = "/proc") =>
        ConfigPath(id, init, storage, procRoot) is { } path && ContainerStorage.ReadText(path) is { } text ? OciSpecParser.Parse(text) : null;

    public static string? ConfigPath(string id, int init, ContainerStorage storage, string procRoot = "/proc") =>
        Candidates(id, init, storage, procRoot).FirstOrDefault(File.Exists);

    private static IEnumerable<string> Candidates(string id, int init, ContainerStorage storage, string procRoot)
    {
        if (BundleArgument(init, procRoot) is { } bundle)
        {
            yield return Path.Combine(bundle, ConfigFile);
        }

        foreach (var root in new[] { storage.GraphRoot, storage.RunRoot })
        {
            foreach (var dir in ContainerStorage.ContainerDirectories(root))
            {
                yield return Path.Combine(dir, id, "userdata", ConfigFile);
            }
        }

        IEnumerable<string> namespaces;
        try
        {
            namespaces = Directory.Exists(ContainerdTasks) ? Directory.EnumerateDirectories(ContainerdTasks).ToList() : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            namespaces = [];
        }

        foreach (var ns in namespaces)
        {
            yield return Path.Combine(ns, id, ConfigFile);
        }
    }

    /// <summary>conmon's `-b DIR`, `--bundle DIR` or `--bundle=DIR`, from the cmdline of the init's parent.</summary>
    private static string? BundleArgument(int init, string procRoot)
    {
        var reader = new ProcReader();
        if (reader.ReadText($"{procRoot}/{init}/stat", record: false) is not { } stat || !StatParser.TryParse(stat, out var st)
            || reader.ReadText($"{procRoot}/{st.ParentPid}/cmdline", record: false) is not { } cmdline)
        {
            return null;
        }

        return Bundle(cmdline.Split('\0'));
    }

    /// <summary>The bundle directory a conmon command line names, or null (not conmon, or no bundle given).</summary>
    public static string? Bundle(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0 || Path.GetFileName(argv[0]) != "conmon")
        {
            return null;
        }

        for (int i = 1; i < argv.Count; i++)
        {
            if ((argv[i] is "-b" or "--bundle") && i + 1 < argv.Count && argv[i + 1].Length > 0)
            {
                return argv[i + 1];
            }

            if (argv[i].StartsWith("--bundle=", StringComparison.Ordinal) && argv[i].Length > "--bundle=".Length)
            {
                return argv[i]["--bundle=".Length..];
            }
        }

        return null;
    }
}
