using Checkpointable.Options;
using Checkpointable.Predict;
using Checkpointable.Render;

namespace Checkpointable.Cli.Commands;

/// <summary>`checkpointable --container ID [criu options]`: judge a container's init tree (by ID, name or ID prefix) as its runtime's checkpoint would.</summary>
public static class ContainerCommand
{
    public static int Run(string id, bool json, IReadOnlyList<string> criuTokens, CriuCaps caps, TextWriter output)
    {
        var c = Predictor.JudgeContainer(id, criuTokens, caps: caps);
        if (json)
        {
            output.Write(JsonRenderer.Render(c, criuTokens));
        }
        else
        {
            output.Write($"container {c.Container.Id} ({c.Container.Runtime}{(c.Container.PodUid is { } pod ? $", pod {pod}" : string.Empty)}), init {c.Init}\n");
            output.Write($"runtime adds: {string.Join(' ', c.RuntimeTokens)}{(c.Runtime.RpcOnly.Count > 0 ? $" (RPC only: {string.Join(", ", c.Runtime.RpcOnly)})" : string.Empty)}\n");
            output.Write(SeedTextRenderer.Render(c.Judgement, c.Tokens(criuTokens)));
        }

        return (int)c.Judgement.Verdict;
    }
}
