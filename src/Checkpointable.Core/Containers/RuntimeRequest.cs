using Checkpointable.Options;

namespace Checkpointable.Containers;

/// <summary>
/// What a container's runtime asks of criu when it checkpoints the container (<see cref="RuntimeOptions"/>):
/// the criu command-line options its RPC request amounts to, the RPC-only options that have no command-line
/// form, the configuration file it names (read after the request: criu/cr-service.c setup_opts_from_req
/// "Would overwrite RPC settings"), and a refusal its engine makes before criu runs (null: none).
/// </summary>
public sealed record RuntimeRequest(IReadOnlyList<string> Tokens, bool OrphanPtsMaster, string? ConfigFile, RuntimeRefusal? Refusal)
{
    /// <summary>The RPC field (criu/images/rpc.proto criu_opts) as runc's request names it.</summary>
    public const string OrphanPtsMasterField = "orphan_pts_master";

    /// <summary>The RPC-only options by their rpc.proto names, for display.</summary>
    public IReadOnlyList<string> RpcOnly => OrphanPtsMaster ? [OrphanPtsMasterField] : [];

    /// <summary>
    /// criu's options as `criu swrk` builds them: its default config files (read at start), then the request
    /// (the runtime's options and the user's, which the engine passes on: `podman container checkpoint
    /// --tcp-established`), then the request's config file when it exists (criu ignores a missing one).
    /// </summary>
    public CriuOptions Options(IReadOnlyList<string> userTokens, CriuCaps? caps = null)
    {
        var options = Predict.Predictor.Options([.. Tokens, .. userTokens], caps);
        if (ConfigFile is { } file && File.Exists(file))
        {
            CriuOptionParser.Apply(options, CriuOptionParser.ReadConfigFile(file));
            options.ConfigFiles.Add(file);
        }

        options.OrphanPtsMaster = OrphanPtsMaster;
        return options;
    }
}
