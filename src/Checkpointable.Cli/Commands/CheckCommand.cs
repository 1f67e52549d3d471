using Checkpointable.Options;
using Checkpointable.Predict;
using Checkpointable.Render;

namespace Checkpointable.Cli.Commands;

/// <summary>`checkpointable -t PID [criu options]`: judge the tree of PID as `criu dump -t PID` would.</summary>
public static class CheckCommand
{
    public static int Run(int pid, bool json, IReadOnlyList<string> criuTokens, CriuCaps caps, TextWriter output)
    {
        var judgement = Predictor.JudgeTree(pid, Predictor.Options(criuTokens, caps));
        output.Write(json ? JsonRenderer.Render(judgement, criuTokens) : SeedTextRenderer.Render(judgement, criuTokens));
        return (int)judgement.Verdict;
    }
}
