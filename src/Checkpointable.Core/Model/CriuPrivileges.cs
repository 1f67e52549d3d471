using System.Globalization;

namespace Checkpointable.Model;

/// <summary>
/// The credentials and effective capabilities criu is assumed to run with: what its own checks
/// (cr-check.c check_caps) and the kernel's permission checks on its system calls (prlimit64) see.
/// </summary>
/// <param name="Uids">criu's real, effective, saved and fs uid.</param>
/// <param name="Gids">criu's real, effective, saved and fs gid.</param>
/// <param name="Effective">criu's effective capabilities (what capget() returns: criu/util.c set_opts_cap_eff).</param>
/// <param name="Source">Where the set comes from.</param>
/// <param name="CriuFile">The criu binary whose file capabilities were used (<see cref="PrivilegeSource.CriuFile"/>).</param>
public sealed record CriuPrivileges(CredentialIds Uids, CredentialIds Gids, CapabilitySet Effective, PrivilegeSource Source, string? CriuFile = null)
{
    /// <summary>uid 0 with every capability: `sudo criu` on a host whose root keeps its full set.</summary>
    public static readonly CriuPrivileges FullRoot = new(CredentialIds.Of(0), CredentialIds.Of(0), CapabilitySet.All, PrivilegeSource.Given);

    public bool IsRoot => Uids.Effective == 0;

    public bool Has(Capability cap) => Effective.Has(cap);

    /// <summary>"uid 0, without CAP_SYS_RESOURCE (the checker's own capabilities)": the line the text output shows.</summary>
    public string Describe()
    {
        string ids = Uids.Real == Uids.Effective && Gids.Real == Gids.Effective
            ? $"uid {Id(Uids.Real)}, gid {Id(Gids.Real)}"
            : $"uid {Id(Uids.Real)} (effective {Id(Uids.Effective)}), gid {Id(Gids.Real)} (effective {Id(Gids.Effective)})";
        return $"{ids}, {CapabilityText()} ({SourceText()})";
    }

    /// <summary>"all capabilities", "without CAP_SYS_RESOURCE", or the few it has when it lacks most.</summary>
    public string CapabilityText()
    {
        var missing = Effective.Missing.ToList();
        if (missing.Count == 0)
        {
            return "all capabilities";
        }

        var present = Effective.Present.ToList();
        return present.Count == 0 ? "no capabilities"
            : missing.Count <= present.Count ? $"without {string.Join(", ", missing.Select(CapabilitySet.Name))}"
            : $"with only {string.Join(", ", present.Select(CapabilitySet.Name))}";
    }

    public string SourceText() => Source switch
    {
        PrivilegeSource.Checker => "the checker's own capabilities",
        PrivilegeSource.CriuFile => CriuFile is null
            ? "no criu on PATH: exec'ed without file capabilities (--criu-caps file)"
            : $"file capabilities of {CriuFile} (--criu-caps file)",
        _ => "as given by --criu-caps",
    };

    private static string Id(uint id) => id.ToString(CultureInfo.InvariantCulture);
}
