using System.Text.Json;
using System.Text.Json.Serialization;
using Checkpointable.Rules;

namespace Checkpointable.Render;

/// <summary>The JSON output, schema "checkpointable/v1" (README: "JSON schema"). Source-generated: no reflection.</summary>
public static class JsonRenderer
{
    public const string Schema = "checkpointable/v1";

    /// <param name="descriptors">Also list every fd with its kernel fdinfo text and verdict (the fdinfo command).</param>
    public static JudgementDto ToDto(Judgement j, IReadOnlyList<string> userTokens, bool descriptors = false) => new(
        Schema,
        j.Tree.Root,
        VerdictName(j.Verdict),
        (int)j.Verdict,
        userTokens,
        j.MissingOptions,
        Text.CriuCommand(j, userTokens),
        j.Tree.Members.Select(pid =>
        {
            var p = j.Snapshot.Processes[pid];
            return new ProcessDto(
                pid,
                p.Comm,
                p.Gone,
                Enum.GetValues<Subsystem>().ToDictionary(Text.Name, s => j.SubsystemState(pid, s)),
                p.Fds.Count,
                p.Threads.Count,
                descriptors ? p.Fds.Select(f => DescriptorDto.From(j, pid, f)).ToList() : null);
        }).ToList(),
        j.Findings.Select(FindingDto.From).ToList(),
        new HostDto(
            j.Snapshot.Host.KernelRelease,
            j.Snapshot.Host.IsRoot,
            j.Snapshot.Host.Tools.Order(StringComparer.Ordinal).ToList(),
            j.Snapshot.Host.CriuHasNftables,
            j.Snapshot.Host.Plugins,
            j.Options.ConfigFiles),
        CriuDto.From(j.Criu, j.Options.CriuCaps),
        j.Snapshot.TakenAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    public static string Render(Judgement j, IReadOnlyList<string> userTokens, bool descriptors = false) =>
        JsonSerializer.Serialize(ToDto(j, userTokens, descriptors), CheckpointableJsonContext.Default.JudgementDto) + "\n";

    /// <summary>A container's judgement: the tree's JSON plus a "container" object; "options" lists the runtime's tokens, then the user's.</summary>
    public static string Render(Predict.ContainerJudgement c, IReadOnlyList<string> userTokens, bool descriptors = false) =>
        JsonSerializer.Serialize(
            ToDto(c.Judgement, c.Tokens(userTokens), descriptors) with { Container = ContainerDto.From(c) },
            CheckpointableJsonContext.Default.JudgementDto) + "\n";

    public static string Render(IReadOnlyList<HostRow> rows) =>
        JsonSerializer.Serialize(new HostTableDto(Schema, rows), CheckpointableJsonContext.Default.HostTableDto) + "\n";

    public static string VerdictName(Verdict v) => v switch
    {
        Verdict.Checkpointable => "checkpointable",
        Verdict.NotCheckpointable => "not-checkpointable",
        _ => "undecided",
    };
}

public sealed record JudgementDto(
    string Schema,
    int Root,
    string Verdict,
    int ExitCode,
    IReadOnlyList<string> Options,
    IReadOnlyList<string>? MissingOptions,
    string? Command,
    IReadOnlyList<ProcessDto> Processes,
    IReadOnlyList<FindingDto> Findings,
    HostDto Host,
    CriuDto Criu,
    string TakenAt)
{
    /// <summary>Set when a container was judged (--container, /v1/containers/ID).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ContainerDto? Container { get; init; }
}

/// <summary>
/// The container judged: its runtime, full id, cgroup, pod UID (Kubernetes), init pid, the criu options its
/// runtime adds, those it sends only over RPC (rpc.proto names) and the config file its request names.
/// </summary>
public sealed record ContainerDto(string Runtime, string Id, string Cgroup, string? PodUid, int Init, IReadOnlyList<string> RuntimeOptions, IReadOnlyList<string> RpcOptions, string? ConfigFile)
{
    public static ContainerDto From(Predict.ContainerJudgement c) =>
        new(c.Container.Runtime, c.Container.Id, c.Container.CgroupPath, c.Container.PodUid, c.Init, c.RuntimeTokens, c.Runtime.RpcOnly, c.Runtime.ConfigFile);
}

/// <summary>Host facts that changed the verdict: where criu would run and what it would find there.</summary>
public sealed record HostDto(string Kernel, bool Root, IReadOnlyList<string> Tools, bool CriuNftables, IReadOnlyList<string> Plugins, IReadOnlyList<string> ConfigFiles);

/// <summary>
/// The credentials and capabilities criu was assumed to run with (--criu-caps): source "checker" (the checker's
/// own, the default), "given" (the option's set) or "criu-file" (the file capabilities of the criu on PATH).
/// </summary>
public sealed record CriuDto(
    string Source,
    string Option,
    string? CriuFile,
    IReadOnlyList<uint> Uids,
    IReadOnlyList<uint> Gids,
    string CapEff,
    IReadOnlyList<string> Capabilities,
    IReadOnlyList<string> MissingCapabilities,
    string Text)
{
    public static CriuDto From(Model.CriuPrivileges p, Options.CriuCaps option) => new(
        p.Source switch { Model.PrivilegeSource.Checker => "checker", Model.PrivilegeSource.CriuFile => "criu-file", _ => "given" },
        option.Text,
        p.CriuFile,
        [p.Uids.Real, p.Uids.Effective, p.Uids.Saved, p.Uids.Filesystem],
        [p.Gids.Real, p.Gids.Effective, p.Gids.Saved, p.Gids.Filesystem],
        p.Effective.Mask.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
        p.Effective.Present.Select(Model.CapabilitySet.Name).ToList(),
        p.Effective.Missing.Select(Model.CapabilitySet.Name).ToList(),
        p.Describe());
}

public sealed record ProcessDto(
    int Pid,
    string Comm,
    bool Gone,
    IReadOnlyDictionary<string, int> Subsystems,
    int Fds,
    int Threads,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<DescriptorDto>? Descriptors);

/// <summary>One fd as the fdinfo view shows it: the kernel's lines and the seed's checkpointable flag (1, 0, or -1 unknown).</summary>
public sealed record DescriptorDto(int Fd, string Link, string Kind, string? FdInfo, int Checkpointable, IReadOnlyList<string> Rules)
{
    public static DescriptorDto From(Judgement j, int pid, Model.FdEntry f)
    {
        var findings = j.ForFd(pid, f.Fd).ToList();
        int flag = findings.Any(x => x.Blocks) ? 0
            : findings.Any(x => x.Severity == Severity.Unknown && !x.Lifted) || (f.Info is null && f.Error is { Failure: Model.ProbeFailure.Denied }) ? -1
            : 1;
        return new DescriptorDto(f.Fd, f.Link, f.Kind.ToString(), f.Info?.Text, flag, findings.Select(x => x.RuleId).Distinct().ToList());
    }
}

public sealed record FindingDto(
    string Rule,
    string Subsystem,
    int Pid,
    int? Fd,
    string Resource,
    string Reason,
    string Severity,
    bool Blocks,
    bool Lifted,
    IReadOnlyList<string> Lift,
    string Certainty,
    bool Volatile,
    string? CriuMessage)
{
    public static FindingDto From(Finding f) => new(
        f.RuleId,
        Text.Name(f.Subsystem),
        f.Pid,
        f.Fd,
        f.Resource,
        f.Reason,
        f.Severity.ToString().ToLowerInvariant(),
        f.Blocks,
        f.Lifted,
        f.Lift,
        f.Certainty.ToString().ToLowerInvariant(),
        f.Volatile,
        f.CriuMessage);
}

public sealed record HostTableDto(string Schema, IReadOnlyList<HostRow> Processes);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(JudgementDto))]
[JsonSerializable(typeof(HostTableDto))]
internal sealed partial class CheckpointableJsonContext : JsonSerializerContext;
