using System.Text.Json;

namespace Checkpointable.Containers;

/// <summary>
/// Container names, read from the runtimes' files without running them:
/// containers/storage's `GRAPHROOT/DRIVER-containers/containers.json` (Podman and CRI-O: an array of
/// `{"id": …, "names": […]}`, containers/storage containers.go `Container.Names`), and Docker's
/// `/var/lib/docker/containers/ID/config.v2.json` (`"Name": "/NAME"`, moby container/container.go).
/// </summary>
public sealed class ContainerNames
{
    public const string DockerContainers = "/var/lib/docker/containers";

    private readonly Dictionary<string, List<string>> _ids = new(StringComparer.Ordinal);

    public ContainerNames(IEnumerable<(string Id, IEnumerable<string> Names)> entries)
    {
        foreach (var (id, names) in entries)
        {
            foreach (var name in names.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal))
            {
                if (!_ids.TryGetValue(name, out var ids))
                {
                    _ids[name] = ids = [];
                }

                if (!ids.Contains(id, StringComparer.Ordinal))
                {
                    ids.Add(id);
                }
            }
        }
    }

    /// <summary>The ids of the containers with that exact name (several only across runtimes).</summary>
    public IReadOnlyList<string> IdsOf(string name) => _ids.TryGetValue(name, out var ids) ? ids : [];

    /// <summary>The names of the containers of the store and of Docker among <paramref name="runningIds"/>.</summary>
    public static ContainerNames Read(ContainerStorage storage, IEnumerable<string> runningIds, string dockerRoot = DockerContainers)
    {
        var entries = new List<(string, IEnumerable<string>)>();
        foreach (var dir in ContainerStorage.ContainerDirectories(storage.GraphRoot))
        {
            if (ContainerStorage.ReadText(Path.Combine(dir, "containers.json")) is { } json)
            {
                entries.AddRange(ParseStorage(json).Select(e => (e.Id, (IEnumerable<string>)e.Names)));
            }
        }

        foreach (var id in runningIds)
        {
            if (ContainerStorage.ReadText(Path.Combine(dockerRoot, id, "config.v2.json")) is { } config && ParseDockerName(config) is { } name)
            {
                entries.Add((id, [name]));
            }
        }

        return new ContainerNames(entries);
    }

    /// <summary>containers.json: every entry's id and names; entries of another shape are skipped.</summary>
    public static IReadOnlyList<(string Id, IReadOnlyList<string> Names)> ParseStorage(string json)
    {
        var found = new List<(string, IReadOnlyList<string>)>();
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return found;
            }

            foreach (var c in doc.RootElement.EnumerateArray())
            {
                if (c.ValueKind == JsonValueKind.Object && c.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                    && c.TryGetProperty("names", out var names) && names.ValueKind == JsonValueKind.Array)
                {
                    found.Add((id.GetString()!, names.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!).ToList()));
                }
            }
        }
        catch (JsonException)
        {
            // A store being rewritten (containers/storage writes a new file and renames it) or a foreign file: no names.
        }

        return found;
    }

    /// <summary>config.v2.json's "Name" without Docker's leading '/'.</summary>
    public static string? ParseDockerName(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("Name", out var n) && n.ValueKind == JsonValueKind.String
                && n.GetString()!.TrimStart('/') is { Length: > 0 } name
                ? name
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
