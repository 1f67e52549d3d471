using Checkpointable.Options;
using Checkpointable.Predict;
using Checkpointable.Render;

namespace Checkpointable.Cli.Commands;

/// <summary>`checkpointable fdinfo PID`: the kernel's fdinfo of every fd of the tree, each followed by its checkpointable line.</summary>
public static class FdInfoCommand
{
    public static int Run(int pid, bool json, IReadOnlyList<string> criuTokens, CriuCaps caps, TextWriter output)
    {
        var judgement = Predictor.JudgeTree(pid, Predictor.Options(criuTokens, caps));
        output.Write(json ? JsonRenderer.Render(judgement, criuTokens, descriptors: true) : FdInfoRenderer.Render(judgement));
        return (int)judgement.Verdict;
    }
}
