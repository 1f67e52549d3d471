using System.Text.Json;
using System.Text.Json.Serialization;
using Checkpointable.Watch;

namespace Checkpointable.Render;

/// <summary>One JSON object per line per transition (JSON lines), schema "checkpointable/v1". Source-generated.</summary>
public static class TransitionJsonRenderer
{
    public static TransitionDto ToDto(Transition t) => new(
        JsonRenderer.Schema,
        TransitionTextRenderer.Timestamp(t.At),
        Kind(t.Kind),
        t.Root,
        t.Pid,
        t.Comm,
        t.Subsystem is { } s ? Text.Name(s) : null,
        t.RuleId,
        t.Resource,
        t.Fd,
        t.From,
        t.To,
        t.Reason,
        t.Lift.Count > 0 ? t.Lift : null);

    public static string Render(Transition t) =>
        JsonSerializer.Serialize(ToDto(t), TransitionJsonContext.Default.TransitionDto) + "\n";

    public static string Kind(TransitionKind k) => k switch
    {
        TransitionKind.Started => "started",
        TransitionKind.Appeared => "appeared",
        TransitionKind.Exited => "exited",
        TransitionKind.Resource => "resource",
        TransitionKind.Subsystem => "subsystem",
        _ => "tree",
    };
}

/// <summary>A transition as JSON: from/to are 1, 0 or -1 (undecided); from is null for the starting state.</summary>
public sealed record TransitionDto(
    string Schema,
    string At,
    string Kind,
    int Root,
    int Pid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Comm,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Subsystem,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Rule,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Resource,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Fd,
    int? From,
    int? To,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Lift);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(TransitionDto))]
internal sealed partial class TransitionJsonContext : JsonSerializerContext;
