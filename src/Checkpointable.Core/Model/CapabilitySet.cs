using System.Globalization;
using System.Text;

namespace Checkpointable.Model;

/// <summary>A set of capabilities as the kernel stores it: one bit per <see cref="Capability"/>.</summary>
public readonly record struct CapabilitySet(ulong Mask)
{
    /// <summary>Every capability this project knows (CAP_LAST_CAP of kernel 5.9 and later: CAP_CHECKPOINT_RESTORE).</summary>
    public static readonly CapabilitySet All = new((1UL << ((int)Capability.CheckpointRestore + 1)) - 1);

    public static readonly CapabilitySet None = new(0);

    public bool Has(Capability cap) => (Mask & Bit(cap)) != 0;

    public CapabilitySet With(Capability cap) => new(Mask | Bit(cap));

    public CapabilitySet Without(Capability cap) => new(Mask & ~Bit(cap));

    public CapabilitySet Intersect(CapabilitySet other) => new(Mask & other.Mask);

    public CapabilitySet Union(CapabilitySet other) => new(Mask | other.Mask);

    /// <summary>The capabilities of <see cref="All"/> missing from this set.</summary>
    public IEnumerable<Capability> Missing
    {
        get
        {
            ulong mask = Mask;
            return Enum.GetValues<Capability>().Where(c => (mask & Bit(c)) == 0);
        }
    }

    /// <summary>The capabilities in this set, lowest bit first.</summary>
    public IEnumerable<Capability> Present
    {
        get
        {
            ulong mask = Mask;
            return Enum.GetValues<Capability>().Where(c => (mask & Bit(c)) != 0);
        }
    }

    /// <summary>The hex form of /proc/PID/status (CapEff: 000001fffeffffff); null when it is not hex.</summary>
    public static CapabilitySet? ParseHex(ReadOnlySpan<char> hex) =>
        hex.Length is > 0 and <= 16 && ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong mask)
            ? new CapabilitySet(mask)
            : null;

    /// <summary>CAP_SYS_RESOURCE for <see cref="Capability.SysResource"/>, as the kernel and criu's messages name it.</summary>
    public static string Name(Capability cap)
    {
        var b = new StringBuilder("CAP_");
        string pascal = cap.ToString();
        for (int i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                b.Append('_');
            }

            b.Append(char.ToUpperInvariant(pascal[i]));
        }

        return b.ToString();
    }

    /// <summary>A capability by name: CAP_SYS_RESOURCE, cap_sys_resource or sys_resource, any case.</summary>
    public static Capability? ByName(string name)
    {
        string upper = name.Trim().ToUpperInvariant();
        if (!upper.StartsWith("CAP_", StringComparison.Ordinal))
        {
            upper = "CAP_" + upper;
        }

        foreach (var cap in Enum.GetValues<Capability>())
        {
            if (Name(cap) == upper)
            {
                return cap;
            }
        }

        return null;
    }

    private static ulong Bit(Capability cap) => 1UL << (int)cap;
}
