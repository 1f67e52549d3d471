using Checkpointable.Rules;

namespace Checkpointable.Containers;

/// <summary>
/// A checkpoint the container engine refuses before its runtime (and so criu) runs; no criu option changes it.
/// C-RM: podman 4.3 refuses a container started with `--rm` unless the checkpoint is exported
/// (libpod/container_internal_common.go `(*Container).checkpoint`: `c.AutoRemove() && options.TargetFile == ""`;
/// libpod/container.go `AutoRemove` reads the spec's `io.podman.annotations.autoremove` == "TRUE",
/// which pkg/specgen/generate/oci_linux.go `SpecGenToOCI` sets from `--rm`).
/// </summary>
public sealed record RuntimeRefusal(string RuleId, string Reason, string Message)
{
    public const string PodmanAutoRemoveId = "C-RM";

    /// <summary>libpod/define/annotations.go InspectAnnotationAutoremove and InspectResponseTrue.</summary>
    public const string PodmanAutoRemoveAnnotation = "io.podman.annotations.autoremove", PodmanTrue = "TRUE";

    /// <summary>The refusal the container's engine makes, or null when it lets the runtime run.</summary>
    public static RuntimeRefusal? Of(ContainerRef container, OciSpec? spec) =>
        container.Runtime == "podman" && spec is not null
        && spec.Annotations.TryGetValue(PodmanAutoRemoveAnnotation, out var value) && value == PodmanTrue
            ? new RuntimeRefusal(
                PodmanAutoRemoveId,
                "podman refuses to checkpoint a container started with --rm unless it is exported: `podman container checkpoint --export FILE`",
                "cannot checkpoint containers that have been started with '--rm' unless '--export' is used (podman libpod/container_internal_common.go checkpoint)")
            : null;

    /// <summary>The judgement with this refusal as a blocker of the init that no criu option lifts.</summary>
    public Judgement Apply(Judgement judgement, int init) => new()
    {
        Snapshot = judgement.Snapshot,
        Tree = judgement.Tree,
        Options = judgement.Options,
        Findings = [.. judgement.Findings, new Finding
        {
            RuleId = RuleId,
            Subsystem = Subsystem.Host,
            Pid = init,
            Resource = "container",
            Reason = Reason,
            CriuMessage = Message,
        }],
        Verdict = Verdict.NotCheckpointable,
        MissingOptions = null,
    };
}
