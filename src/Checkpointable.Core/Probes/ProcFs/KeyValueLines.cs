namespace Checkpointable.Probes.ProcFs;

/// <summary>
/// Walks "Key:\tvalue" lines (status, fdinfo) without allocating: the key is what stands before the first
/// colon, the value the rest, trimmed. Lines without a colon are skipped.
/// </summary>
public ref struct KeyValueLines(ReadOnlySpan<char> text)
{
    private ReadOnlySpan<char> _rest = text;

    public bool Next(out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        while (!_rest.IsEmpty)
        {
            int end = _rest.IndexOf('\n');
            var line = end < 0 ? _rest : _rest[..end];
            _rest = end < 0 ? default : _rest[(end + 1)..];
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                key = line[..colon];
                value = line[(colon + 1)..].Trim();
                return true;
            }
        }

        key = value = default;
        return false;
    }
}
