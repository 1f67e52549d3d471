namespace Checkpointable.Model;

/// <summary>The mounts of one mount namespace with the lookups rules need, built once per snapshot.</summary>
public sealed class MountTable
{
    private readonly Dictionary<int, MountEntry> _byId = [];
    private readonly Dictionary<int, List<MountEntry>> _children = [];

    public MountTable(IReadOnlyList<MountEntry> entries)
    {
        Entries = entries;
        foreach (var m in entries)
        {
            _byId.TryAdd(m.MountId, m);
            if (!_children.TryGetValue(m.ParentId, out var list))
            {
                _children[m.ParentId] = list = [];
            }

            list.Add(m);
        }
    }

    public IReadOnlyList<MountEntry> Entries { get; }

    public MountEntry? Find(int mountId) => _byId.GetValueOrDefault(mountId);

    public bool Contains(int mountId) => _byId.ContainsKey(mountId);

    /// <summary>The mounts whose parent is <paramref name="mountId"/>.</summary>
    public IReadOnlyList<MountEntry> ChildrenOf(int mountId) => _children.TryGetValue(mountId, out var list) ? list : [];
}
