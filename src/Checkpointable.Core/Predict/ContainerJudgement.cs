using Checkpointable.Containers;
using Checkpointable.Rules;

namespace Checkpointable.Predict;

/// <summary>A container's init tree judged with the options its runtime adds (<see cref="RuntimeOptions"/>) before the user's.</summary>
public sealed record ContainerJudgement(ContainerRef Container, int Init, IReadOnlyList<string> RuntimeTokens, Judgement Judgement)
{
    /// <summary>The criu tokens the judgement used: the runtime's, then the user's.</summary>
    public IReadOnlyList<string> Tokens(IReadOnlyList<string> userTokens) => [.. RuntimeTokens, .. userTokens];
}
