using Checkpointable.Model;
using Checkpointable.Options;
using Checkpointable.Predict;
using Checkpointable.Probes;
using Checkpointable.Rules;

namespace Checkpointable.Watch;

/// <summary>
/// Watches one tree, one look per <see cref="Poll"/>: the tree is judged again only when its fingerprint changed,
/// when it holds something that changes without touching the fingerprint (an inet socket, a volatile finding),
/// or every <see cref="FullEvery"/> looks as a safety net. Not thread-safe: one caller polls.
/// </summary>
public sealed class TreeWatch
{
    private readonly CriuOptions _options;
    private readonly HostFacts _host;
    private string? _fingerprint;
    private int _looksSinceJudged;

    public TreeWatch(int root, CriuOptions options, HostFacts? host = null)
    {
        Root = root;
        _options = options;
        _host = host ?? HostProbe.Read();
    }

    public int Root { get; }

    /// <summary>Looks between two judgements even when nothing seems to change (the safety net).</summary>
    public int FullEvery { get; init; } = 30;

    /// <summary>The latest judgement; null before <see cref="Start"/>.</summary>
    public Judgement? Current { get; private set; }

    public WatchState? State { get; private set; }

    /// <summary>The root exited (after the transitions saying so were returned).</summary>
    public bool IsGone { get; private set; }

    /// <summary>How many times the tree was judged (the first look included): what the fingerprint saved.</summary>
    public int Judgements { get; private set; }

    /// <summary>The first look. Throws <see cref="TargetException"/> for a bad or vanished root.</summary>
    public List<Transition> Start()
    {
        Judge();
        return Differ.Start(State!, DateTimeOffset.UtcNow);
    }

    /// <summary>One more look: the transitions since the previous one (none when nothing changed).</summary>
    public List<Transition> Poll()
    {
        if (IsGone)
        {
            return [];
        }

        var before = State ?? throw new InvalidOperationException("Start first");
        _looksSinceJudged++;
        string fingerprint = TreeFingerprint.Of(Current!.Tree.Members);
        if (fingerprint == _fingerprint && !NeedsLook(Current) && _looksSinceJudged < FullEvery)
        {
            return [];
        }

        try
        {
            Judge();
        }
        catch (TargetException)
        {
            IsGone = true;
            return Differ.Gone(before, DateTimeOffset.UtcNow);
        }

        return Differ.Diff(before, State!, DateTimeOffset.UtcNow);
    }

    private void Judge()
    {
        // The fingerprint is taken first: a change while judging shows up as a difference at the next look.
        var members = Current?.Tree.Members ?? [Root];
        string fingerprint = TreeFingerprint.Of(members);
        var judgement = Predictor.JudgeTree(Root, _options, _host, verifyRemedy: false);
        if (!judgement.Tree.Members.SequenceEqual(members))
        {
            fingerprint = TreeFingerprint.Of(judgement.Tree.Members);
        }

        Current = judgement;
        State = WatchState.Of(judgement);
        _fingerprint = fingerprint;
        _looksSinceJudged = 0;
        Judgements++;
    }

    /// <summary>
    /// A tree that holds an inet socket or a volatile finding is judged at every look: a peer can close a
    /// connection, and a queue can drain, without any change in the tree's own fds.
    /// </summary>
    private static bool NeedsLook(Judgement j) =>
        j.Findings.Any(f => f.Volatile)
        || j.Tree.Members.Any(pid => j.Snapshot.Processes.TryGetValue(pid, out var p) && p.Fds.Any(SocketOptionsProbe.IsInet));
}
