using Checkpointable.Model;
using Checkpointable.Rules;

namespace Checkpointable.Predict;

/// <summary>Every live process of the host judged as the root of its own tree, with where the time went.</summary>
public sealed record HostScan(Snapshot Snapshot, IReadOnlyList<Judgement> Judgements, TimeSpan Collect, TimeSpan Judge);
