using Checkpointable.Model;
using Checkpointable.Options;
using Checkpointable.Probes;
using Checkpointable.Render;
using Checkpointable.Rules;

namespace Checkpointable.Cli.Commands;

/// <summary>`checkpointable -t PID [criu options]`: judge the tree of PID as `criu dump -t PID` would.</summary>
public static class CheckCommand
{
    public static int Run(int pid, bool json, IReadOnlyList<string> criuTokens, TextWriter output)
    {
        var judgement = JudgeTree(pid, criuTokens);
        output.Write(json ? JsonRenderer.Render(judgement, criuTokens) : SeedTextRenderer.Render(judgement, criuTokens));
        return (int)judgement.Verdict;
    }

    /// <summary>Shared by check and fdinfo: validate, read the options, collect the tree and judge it.</summary>
    public static Judgement JudgeTree(int pid, IReadOnlyList<string> criuTokens)
    {
        Target.Validate(pid);
        var options = CriuOptionParser.Effective(criuTokens);
        var host = HostProbe.Read();
        var snapshot = Collector.CollectTree(pid, host);
        if (snapshot.Processes[pid].Gone)
        {
            throw new UserFacingException($"process {pid} exited while being read");
        }

        return Judge.Run(snapshot, pid, options);
    }
}
