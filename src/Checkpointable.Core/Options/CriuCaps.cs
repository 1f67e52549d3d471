using Checkpointable.Model;

namespace Checkpointable.Options;

/// <summary>
/// Our option --criu-caps (not criu's): the credentials and capabilities criu is assumed to run with.
/// <c>self</c> (default), <c>file</c>, <c>all</c>, <c>root</c>, or a comma-separated list of capability names
/// (CAP_SYS_ADMIN, cap_sys_admin, sys_admin; any case), each optionally prefixed by + (add) or - (remove);
/// a list may start with one of the keywords: <c>all,-sys_resource</c> is every capability but CAP_SYS_RESOURCE,
/// <c>self,+sys_resource</c> the checker's own plus it, <c>checkpoint_restore</c> only that one.
/// </summary>
public sealed record CriuCaps(CriuCapsBase Base, IReadOnlyList<(Capability Capability, bool Add)> Changes, string Text)
{
    public const string OptionName = "--criu-caps";

    public static readonly CriuCaps Self = new(CriuCapsBase.Self, [], "self");

    public bool IsSelf => Base == CriuCapsBase.Self && Changes.Count == 0;

    /// <exception cref="CriuCapsException">An empty item or a name that is no capability.</exception>
    public static CriuCaps Parse(string value)
    {
        var items = value.Split(',', StringSplitOptions.TrimEntries);
        if (items.Length == 0 || items.Any(i => i.Length == 0))
        {
            throw new CriuCapsException($"{OptionName}: '{value}' has an empty item (expected self, file, all, root, or capability names separated by commas)");
        }

        var start = Keyword(items[0]);
        var changes = new List<(Capability, bool)>();
        foreach (var item in start is null ? items : items.Skip(1))
        {
            bool add = item[0] != '-';
            string name = item[0] is '-' or '+' ? item[1..] : item;
            if (Keyword(name) is not null)
            {
                throw new CriuCapsException($"{OptionName}: '{name}' may only come first (as in all,-sys_resource)");
            }

            var cap = CapabilitySet.ByName(name)
                ?? throw new CriuCapsException($"{OptionName}: '{name}' is not a capability (names as in capabilities(7): sys_admin, CAP_SYS_RESOURCE, checkpoint_restore)");
            changes.Add((cap, add));
        }

        return new CriuCaps(start ?? CriuCapsBase.None, changes, value);
    }

    /// <summary>The credentials and capabilities criu would have on this host under this choice.</summary>
    public CriuPrivileges Resolve(HostFacts host)
    {
        var start = Base switch
        {
            CriuCapsBase.Self => host.CheckerPrivileges,
            CriuCapsBase.File => host.CriuFilePrivileges,
            CriuCapsBase.Root => CriuPrivileges.FullRoot,
            CriuCapsBase.All => host.CheckerPrivileges with { Effective = CapabilitySet.All, Source = PrivilegeSource.Given },
            _ => host.CheckerPrivileges with { Effective = CapabilitySet.None, Source = PrivilegeSource.Given },
        };
        if (Changes.Count == 0)
        {
            return start;
        }

        var set = start.Effective;
        foreach (var (cap, add) in Changes)
        {
            set = add ? set.With(cap) : set.Without(cap);
        }

        return start with { Effective = set, Source = PrivilegeSource.Given };
    }

    private static CriuCapsBase? Keyword(string item) => item.ToLowerInvariant() switch
    {
        "self" => CriuCapsBase.Self,
        "file" => CriuCapsBase.File,
        "all" => CriuCapsBase.All,
        "root" => CriuCapsBase.Root,
        _ => null,
    };
}
