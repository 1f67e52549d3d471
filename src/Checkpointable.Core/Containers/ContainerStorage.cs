namespace Checkpointable.Containers;

/// <summary>
/// Where containers/storage (the store of Podman and CRI-O) keeps its containers: `graphroot` (persistent:
/// `DRIVER-containers/containers.json` with every container's id and names, and podman's bundle
/// `DRIVER-containers/ID/userdata/config.json`) and `runroot` (CRI-O's bundles), from storage.conf's
/// `[storage]` table (containers/storage pkg/types/options.go: CONTAINERS_STORAGE_CONF, else
/// /etc/containers/storage.conf, else /usr/share/containers/storage.conf), with its built-in defaults for root.
/// </summary>
public sealed record ContainerStorage(string GraphRoot, string RunRoot)
{
    public const string DefaultGraphRoot = "/var/lib/containers/storage", DefaultRunRoot = "/run/containers/storage";

    private static readonly string[] s_configFiles = ["/etc/containers/storage.conf", "/usr/share/containers/storage.conf"];

    /// <summary>The store as storage.conf configures it (only the two keys are read; everything else is left alone).</summary>
    public static ContainerStorage Read(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var files = env("CONTAINERS_STORAGE_CONF") is { Length: > 0 } set ? [set] : s_configFiles;
        foreach (var file in files)
        {
            if (ReadText(file) is { } text)
            {
                return Parse(text);
            }
        }

        return new ContainerStorage(DefaultGraphRoot, DefaultRunRoot);
    }

    /// <summary>`graphroot = "PATH"` and `runroot = "PATH"` of the `[storage]` table (TOML basic or literal strings).</summary>
    public static ContainerStorage Parse(string toml)
    {
        string graph = DefaultGraphRoot, run = DefaultRunRoot;
        string table = string.Empty;
        foreach (var raw in toml.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith('['))
            {
                table = line.Trim('[', ']', ' ');
                continue;
            }

            int eq = line.IndexOf('=');
            if (table != "storage" || eq <= 0)
            {
                continue;
            }

            string key = line[..eq].Trim();
            string value = line[(eq + 1)..].Trim();
            int end = value.Length >= 2 && value[0] is '"' or '\'' ? value.IndexOf(value[0], 1) : -1;
            if (end < 0)
            {
                continue;
            }

            value = value[1..end];
            if (value.Length == 0)
            {
                continue;
            }

            if (key == "graphroot")
            {
                graph = value;
            }
            else if (key == "runroot")
            {
                run = value;
            }
        }

        return new ContainerStorage(graph, run);
    }

    /// <summary>The `DRIVER-containers` directories under a root (overlay-containers, vfs-containers, …).</summary>
    public static IEnumerable<string> ContainerDirectories(string root)
    {
        try
        {
            return Directory.Exists(root) ? Directory.EnumerateDirectories(root, "*-containers").Order(StringComparer.Ordinal).ToList() : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    internal static string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
