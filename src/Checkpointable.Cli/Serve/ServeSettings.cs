using System.Globalization;
using System.Net;

namespace Checkpointable.Cli.Serve;

/// <summary>serve's settings: where to listen, how long a host scan is reused, how many target scans may run at once.</summary>
public sealed record ServeSettings(IPEndPoint Listen, TimeSpan MinAge, int MaxScans, bool ProcessMetrics)
{
    /// <summary>The capability set criu is assumed to run with (--criu-caps), for every scan and request.</summary>
    public Checkpointable.Options.CriuCaps CriuCaps { get; init; } = Checkpointable.Options.CriuCaps.Self;

    public const string DefaultListen = "127.0.0.1:9843";

    /// <summary>How long a request waits for a free scan slot before it gets 503.</summary>
    public static readonly TimeSpan SlotWait = TimeSpan.FromSeconds(5);

    /// <summary>How long a request waits for its scan before it gets 504 (the scan itself runs to its end, holding its slot).</summary>
    public static readonly TimeSpan ScanTimeout = TimeSpan.FromSeconds(60);

    /// <exception cref="UserFacingException">An address that is not IP:PORT, a negative age, a cap below 1.</exception>
    public static ServeSettings From(string? listen, double? minAgeSeconds, int? maxScans, bool processMetrics)
    {
        string text = listen ?? DefaultListen;
        if (!IPEndPoint.TryParse(text, out var endpoint) || !text.Contains(':', StringComparison.Ordinal) || endpoint.Port is < 0 or > 65535)
        {
            throw new UserFacingException($"--listen wants IP:PORT (e.g. {DefaultListen} or [::1]:9843), not '{text}'");
        }

        double age = minAgeSeconds ?? 2;
        if (age is < 0 or > 3600 || double.IsNaN(age))
        {
            throw new UserFacingException($"--min-age wants 0 to 3600 seconds, not {age.ToString(CultureInfo.InvariantCulture)}");
        }

        int cap = maxScans ?? 2;
        if (cap is < 1 or > 64)
        {
            throw new UserFacingException($"--max-scans wants 1 to 64, not {cap}");
        }

        return new ServeSettings(endpoint, TimeSpan.FromSeconds(age), cap, processMetrics);
    }
}
