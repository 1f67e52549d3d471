namespace Checkpointable.Cli.Serve;

/// <summary>What a process or container request answers: a status and its body (JSON, or one line of reason).</summary>
internal sealed record TargetAnswer(int Status, string Body);
