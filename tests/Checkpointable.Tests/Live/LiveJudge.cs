using Checkpointable.Model;
using Checkpointable.Options;
using Checkpointable.Probes;
using Checkpointable.Render;
using Checkpointable.Rules;

namespace Checkpointable.Tests.Live;

/// <summary>Judges a live subject's tree through the library, exactly as the CLI does.</summary>
internal static class LiveJudge
{
    private static readonly Lazy<HostFacts> s_host = new(HostProbe.Read);

    public static HostFacts Host => s_host.Value;

    public static Judgement Run(int root, IEnumerable<string> options, CriuCaps? caps = null)
    {
        var opts = CriuOptionParser.Effective(["--no-default-config", .. options]);
        opts.CriuCaps = caps ?? CriuCaps.Self;
        var snapshot = Collector.CollectTree(root, Host);
        return Judge.Run(snapshot, root, opts);
    }

    public static string Describe(Judgement j) => SeedTextRenderer.Render(j, j.Options.Tokens);

    /// <summary>Splits "--ghost-limit 10M --tcp-close" into tokens.</summary>
    public static string[] Tokens(string options) => options.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
