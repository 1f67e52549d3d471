namespace Checkpointable.Mount;

/// <summary>
/// The mount's layout, from path to node, with no I/O:
/// <c>/checkpointable</c> (host table), <c>/PID/</c>, <c>/PID/checkpointable</c>, <c>/PID/reasons</c>,
/// <c>/PID/checkpointable.json</c>, <c>/PID/fdinfo/</c>, <c>/PID/fdinfo/N</c>. Whether PID or N exists is
/// checked against /proc by <see cref="MountFileSystem"/>.
/// </summary>
public static class MountPath
{
    public const string CheckpointableFile = "checkpointable";
    public const string ReasonsFile = "reasons";
    public const string JsonFile = "checkpointable.json";
    public const string FdInfoDir = "fdinfo";

    /// <summary>The names in a process directory, in listing order.</summary>
    public static readonly IReadOnlyList<string> ProcessEntries = [CheckpointableFile, ReasonsFile, JsonFile, FdInfoDir];

    public static MountNode Resolve(string path)
    {
        if (path == "/")
        {
            return new MountNode(NodeKind.Root);
        }

        if (path.Length < 2 || path[0] != '/' || path[^1] == '/')
        {
            return MountNode.NotFound;
        }

        var parts = path[1..].Split('/');
        if (parts.Length == 1 && parts[0] == CheckpointableFile)
        {
            return new MountNode(NodeKind.HostTable);
        }

        if (!TryNumber(parts[0], out int pid) || pid == 0)
        {
            return MountNode.NotFound;
        }

        return parts.Length switch
        {
            1 => new MountNode(NodeKind.ProcessDir, pid),
            2 => parts[1] switch
            {
                CheckpointableFile => new MountNode(NodeKind.Checkpointable, pid),
                ReasonsFile => new MountNode(NodeKind.Reasons, pid),
                JsonFile => new MountNode(NodeKind.Json, pid),
                FdInfoDir => new MountNode(NodeKind.FdInfoDir, pid),
                _ => MountNode.NotFound,
            },
            3 when parts[1] == FdInfoDir && TryNumber(parts[2], out int fd) => new MountNode(NodeKind.FdInfoFile, pid, fd),
            _ => MountNode.NotFound,
        };
    }

    /// <summary>A decimal number as /proc spells it: digits only, no sign, no leading zero, fits an int.</summary>
    public static bool TryNumber(string s, out int value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 10 || (s[0] == '0' && s.Length > 1))
        {
            return false;
        }

        long v = 0;
        foreach (char c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            v = (v * 10) + (c - '0');
        }

        if (v > int.MaxValue)
        {
            return false;
        }

        value = (int)v;
        return true;
    }
}
