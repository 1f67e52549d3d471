using System.Text.Json;

namespace Checkpointable.Containers;

/// <summary>
/// Reads the parts of an OCI config.json that <see cref="OciSpec"/> keeps (`linux.namespaces[]`, `annotations`).
/// A file that is not JSON, or fields of another shape, give null or fewer entries, never an exception.
/// </summary>
public static class OciSpecParser
{
    public static OciSpec? Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var namespaces = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (root.TryGetProperty("linux", out var linux) && linux.ValueKind == JsonValueKind.Object
                && linux.TryGetProperty("namespaces", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var ns in list.EnumerateArray())
                {
                    if (ns.ValueKind == JsonValueKind.Object && String(ns, "type") is { } type)
                    {
                        namespaces[type] = String(ns, "path");
                    }
                }
            }

            var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("annotations", out var ann) && ann.ValueKind == JsonValueKind.Object)
            {
                foreach (var a in ann.EnumerateObject().Where(a => a.Value.ValueKind == JsonValueKind.String))
                {
                    annotations[a.Name] = a.Value.GetString()!;
                }
            }

            return new OciSpec(namespaces, annotations);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
