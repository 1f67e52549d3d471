using Checkpointable.Options;
using Checkpointable.Predict;
using Checkpointable.Render;

namespace Checkpointable.Mount;

/// <summary>
/// A file's text, computed when it is opened, through <see cref="Predictor"/> and the CLI's own renderers, so
/// that it equals what the CLI prints for the same process at the same moment.
/// </summary>
/// <param name="Options">The mount's criu options (read once, with criu's config files, when mounting).</param>
/// <param name="CriuTokens">The criu options as given, for the JSON's "options" and the suggested command.</param>
public sealed record MountContent(CriuOptions Options, IReadOnlyList<string> CriuTokens)
{
    /// <summary>The file's text; null when the process or descriptor no longer exists (ENOENT).</summary>
    public string? Render(MountNode node, Caller caller)
    {
        if (node.Kind == NodeKind.HostTable)
        {
            var scan = Predictor.JudgeHost(Options);
            var rows = scan.Judgements
                .Where(j => caller.IsRoot || ProcessDirectory.IsVisible(j.Tree.Root, caller))
                .Select(j => HostTableRenderer.Row(j, scan.Containers))
                .ToList();
            return HostTableRenderer.Render(rows);
        }

        Rules.Judgement j;
        try
        {
            // Only the JSON prints the suggested command; the other files need not prove it by judging again.
            j = Predictor.JudgeTree(node.Pid, Options, verifyRemedy: node.Kind == NodeKind.Json);
        }
        catch (TargetException)
        {
            return null; // exited (or became something else) between the lookup and the open
        }

        switch (node.Kind)
        {
            case NodeKind.Checkpointable:
                return SeedTextRenderer.TreeFile(j);
            case NodeKind.Reasons:
                return ReasonsRenderer.Render(j);
            case NodeKind.Json:
                return JsonRenderer.Render(j, CriuTokens);
            case NodeKind.FdInfoFile:
                var fd = j.Snapshot.Processes[node.Pid].Fds.FirstOrDefault(f => f.Fd == node.Fd);
                return fd is null ? null : FdInfoRenderer.File(j, node.Pid, fd);
            default:
                return null;
        }
    }
}
