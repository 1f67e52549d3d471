using Checkpointable.Containers;
using Checkpointable.Rules;

namespace Checkpointable.Predict;

/// <summary>A container's init tree judged with the request its runtime makes (<see cref="RuntimeOptions"/>) before the user's options.</summary>
public sealed record ContainerJudgement(ContainerRef Container, int Init, RuntimeRequest Runtime, Judgement Judgement)
{
    /// <summary>The criu command-line options the runtime's request amounts to.</summary>
    public IReadOnlyList<string> RuntimeTokens => Runtime.Tokens;

    /// <summary>The criu tokens the judgement used: the runtime's, then the user's.</summary>
    public IReadOnlyList<string> Tokens(IReadOnlyList<string> userTokens) => [.. RuntimeTokens, .. userTokens];
}
