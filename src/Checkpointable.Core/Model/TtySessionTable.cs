namespace Checkpointable.Model;

/// <summary>
/// The session and foreground group of every controlling tty seen, keyed by the tty's rdev and, for a pty, its
/// devpts instance: two instances can each have a pts N with the same rdev 136:N (a container's own devpts).
/// </summary>
public sealed class TtySessionTable
{
    private readonly Dictionary<(DeviceId Tty, DeviceId? Instance), TtySession> _byKey = [];

    public TtySessionTable(IEnumerable<TtySession> sessions)
    {
        var list = sessions.ToList();

        // Members of one session share its terminal: one whose fds named the instance names it for the others.
        var instanceOfSession = list.Where(s => s.Instance is not null)
            .GroupBy(s => (s.Tty, s.Session))
            .Where(g => g.Select(s => s.Instance).Distinct().Count() == 1)
            .ToDictionary(g => g.Key, g => g.First().Instance);
        foreach (var s in list)
        {
            var known = s.Instance ?? instanceOfSession.GetValueOrDefault((s.Tty, s.Session));
            _byKey.TryAdd((s.Tty, known), s with { Instance = known });
        }
    }

    public static TtySessionTable Empty { get; } = new([]);

    public IEnumerable<TtySession> Sessions => _byKey.Values;

    /// <summary>Whether a session on this very tty is known (the instance is known on both sides, or is no question).</summary>
    public bool HasExact(DeviceId tty, DeviceId? instance) =>
        Find(tty, instance) is { SameInstance: true };

    /// <summary>
    /// The session whose controlling tty this is. A session on another known instance is never taken; one whose
    /// instance (or the tty's) is unknown is returned with <see cref="TtySessionMatch.SameInstance"/> false.
    /// </summary>
    public TtySessionMatch? Find(DeviceId tty, DeviceId? instance)
    {
        if (!TtyDevice.IsPtySlave(tty))
        {
            // Not a pty: its rdev names one device.
            return _byKey.Values.FirstOrDefault(s => s.Tty == tty) is { } any ? new(any.Session, any.ForegroundGroup, true) : null;
        }

        if (instance is not null)
        {
            if (_byKey.TryGetValue((tty, instance), out var exact))
            {
                return new(exact.Session, exact.ForegroundGroup, true);
            }

            return _byKey.TryGetValue((tty, null), out var unknown) ? new(unknown.Session, unknown.ForegroundGroup, false) : null;
        }

        return _byKey.Values.FirstOrDefault(s => s.Tty == tty) is { } some ? new(some.Session, some.ForegroundGroup, false) : null;
    }
}
