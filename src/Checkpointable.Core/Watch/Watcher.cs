using System.Runtime.CompilerServices;
using Checkpointable.Model;
using Checkpointable.Options;

namespace Checkpointable.Watch;

/// <summary>Transitions as an asynchronous stream: the starting state first, then every change, one look per interval.</summary>
public static class Watcher
{
    /// <summary>
    /// Watches the tree of <paramref name="root"/> until it exits (the stream then ends after the Exited
    /// transitions) or <paramref name="cancel"/> fires. The first look throws TargetException for a bad root.
    /// </summary>
    public static async IAsyncEnumerable<Transition> WatchTree(
        int root, CriuOptions options, TimeSpan interval, HostFacts? host = null, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        var watch = new TreeWatch(root, options, host);
        foreach (var t in watch.Start())
        {
            yield return t;
        }

        while (!watch.IsGone && await Delay(interval, cancel).ConfigureAwait(false))
        {
            foreach (var t in watch.Poll())
            {
                yield return t;
            }
        }
    }

    /// <summary>Watches every process of the host until <paramref name="cancel"/> fires.</summary>
    public static async IAsyncEnumerable<Transition> WatchHost(
        CriuOptions options, TimeSpan interval, HostFacts? host = null, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        using var watch = new HostWatch(options, host)
        {
            Timing = Environment.GetEnvironmentVariable("CHECKPOINTABLE_TIMING") == "1" ? m => Console.Error.WriteLine($"timing: {m}") : null,
        };
        foreach (var t in watch.Start())
        {
            yield return t;
        }

        while (await Delay(interval, cancel).ConfigureAwait(false))
        {
            foreach (var t in watch.Poll())
            {
                yield return t;
            }
        }
    }

    /// <summary>False when cancelled: the stream ends quietly instead of throwing.</summary>
    private static async Task<bool> Delay(TimeSpan interval, CancellationToken cancel)
    {
        try
        {
            await Task.Delay(interval, cancel).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
