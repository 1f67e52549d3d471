namespace Checkpointable.Model;

/// <summary>Namespace kinds CRIU compares (/proc/P/ns/*).</summary>
public enum NamespaceKind
{
    Pid,
    Net,
    Ipc,
    Uts,
    Mnt,
    User,
    Cgroup,
    Time,
    TimeForChildren,
}

/// <summary>The namespace inodes of one process; a kind that could not be read is absent.</summary>
public sealed class NamespaceSet
{
    public static readonly NamespaceKind[] All = Enum.GetValues<NamespaceKind>();

    private readonly ulong[] _inodes = new ulong[All.Length];

    public ulong this[NamespaceKind kind]
    {
        get => _inodes[(int)kind];
        set => _inodes[(int)kind] = value;
    }

    public static string FileName(NamespaceKind kind) => kind switch
    {
        NamespaceKind.TimeForChildren => "time_for_children",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
