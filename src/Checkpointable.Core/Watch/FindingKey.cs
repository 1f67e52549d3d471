namespace Checkpointable.Watch;

/// <summary>Identifies one blocking resource across looks: the rule, the process holding it, and the resource.</summary>
public readonly record struct FindingKey(string RuleId, int Pid, string Resource);
