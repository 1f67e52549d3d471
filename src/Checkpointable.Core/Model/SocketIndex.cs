namespace Checkpointable.Model;

/// <summary>Lookups across all socket tables of a snapshot, built once on first use (host-wide judging asks them thousands of times).</summary>
public sealed class SocketIndex
{
    private readonly Lazy<HashSet<ulong>> _icons;
    private readonly Lazy<Dictionary<ulong, UnixSocket>> _listenerOfIcon;
    private readonly Lazy<Dictionary<(string, ushort, string, ushort), InetSocket>> _inetByEndpoints;

    public SocketIndex(IReadOnlyDictionary<ulong, SocketTable> tables)
    {
        _icons = new(() => tables.Values.SelectMany(t => t.Unix.Values).SelectMany(u => u.Icons).ToHashSet());
        _listenerOfIcon = new(() =>
        {
            var map = new Dictionary<ulong, UnixSocket>();
            foreach (var u in tables.Values.SelectMany(t => t.Unix.Values).Where(u => u.State == 10))
            {
                foreach (var icon in u.Icons)
                {
                    map.TryAdd(icon, u);
                }
            }

            return map;
        });
        _inetByEndpoints = new(() =>
        {
            var map = new Dictionary<(string, ushort, string, ushort), InetSocket>();
            foreach (var s in tables.Values.SelectMany(t => t.Inet.Values).Where(s => s.RemotePort != 0 && s.Inode != 0))
            {
                map.TryAdd((Unmapped(s.LocalAddress), s.LocalPort, Unmapped(s.RemoteAddress), s.RemotePort), s);
            }

            return map;
        });
    }

    /// <summary>Inodes of unix connections waiting in some listener's accept queue (UNIX_DIAG_ICONS).</summary>
    public IReadOnlySet<ulong> Icons => _icons.Value;

    public UnixSocket? ListenerOf(ulong icon) => _listenerOfIcon.Value.GetValueOrDefault(icon);

    /// <summary>The other end of a TCP connection on this host, if it is here.</summary>
    public InetSocket? PeerOf(InetSocket s) =>
        _inetByEndpoints.Value.GetValueOrDefault((Unmapped(s.RemoteAddress), s.RemotePort, Unmapped(s.LocalAddress), s.LocalPort));

    /// <summary>
    /// An IPv4-mapped IPv6 address as IPv4: a dual-stack AF_INET6 socket (e.g. .NET's default) connected to an
    /// AF_INET listener shows ::ffff:127.0.0.1 at one end and 127.0.0.1 at the other.
    /// </summary>
    internal static string Unmapped(string address) =>
        address.StartsWith("::ffff:", StringComparison.OrdinalIgnoreCase) && address.Contains('.', StringComparison.Ordinal) ? address[7..] : address;
}
