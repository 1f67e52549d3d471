using Checkpointable.Containers;
using Checkpointable.Model;
using Checkpointable.Rules;

namespace Checkpointable.Predict;

/// <summary>Every live process of the host judged as the root of its own tree, the containers found, and where the time went.</summary>
public sealed record HostScan(Snapshot Snapshot, IReadOnlyList<Judgement> Judgements, ContainerIndex Containers, TimeSpan Collect, TimeSpan Judge);
