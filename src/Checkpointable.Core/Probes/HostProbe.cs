using Checkpointable.Interop;
using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;

namespace Checkpointable.Probes;

/// <summary>Reads the host facts once per run (CRIU's kerndat and tool checks, seen from where criu would run).</summary>
public static class HostProbe
{
    /// <summary>Programs criu execs during a dump (net.c, netfilter.c, mount.c), looked up on PATH.</summary>
    private static readonly string[] s_tools =
    [
        "iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "iptables-save", "ip6tables-save",
        "iptables-legacy-save", "ip", "tar", "nft",
    ];

    public static HostFacts Read()
    {
        var r = new ProcReader();
        int self = Libc.GetPid();
        var lineage = new HashSet<int>();
        for (int pid = self; pid > 0 && lineage.Add(pid);)
        {
            if (r.ReadText($"/proc/{pid}/stat", record: false) is not { } text || !StatParser.TryParse(text, out var st))
            {
                break;
            }

            pid = st.ParentPid;
        }

        var ns = new NamespaceSet();
        foreach (var kind in NamespaceSet.All)
        {
            if (r.ReadLink($"/proc/self/ns/{NamespaceSet.FileName(kind)}", record: false) is { } link)
            {
                ns[kind] = FdEntry.ParseBracketInode(link);
            }
        }

        string? criu = FindCriu();
        var selfStatus = r.ReadText("/proc/self/status", record: false) is { } statusText && StatusParser.TryParse(statusText, out var status) ? status : null;
        var checker = CheckerPrivileges(selfStatus);
        return new HostFacts
        {
            CheckerPid = self,
            CheckerLineage = lineage,
            CheckerNamespaces = ns,
            IsRoot = Libc.GetEffectiveUserId() == 0,
            EffectiveUserId = Libc.GetEffectiveUserId(),
            ShmemDevice = Libc.ShmemDevice(),
            Hugetlb = HugetlbPools.Read(),
            Tools = FindTools(),
            CriuPath = criu,
            CheckerPrivileges = checker,
            CriuFilePrivileges = CriuFilePrivileges(checker, selfStatus, criu),
            CriuHasNftables = criu is null || CriuLinksNftables(criu) != false,
            Plugins = FindPlugins(),
            KernelRelease = (r.ReadText("/proc/sys/kernel/osrelease", record: false) ?? string.Empty).Trim(),
        };
    }

    /// <summary>
    /// Our uids, gids and CapEff. An unreadable or malformed status (never seen) is taken as our euid with no
    /// capabilities unless it is 0: a guess that errs toward "criu may be refused".
    /// </summary>
    private static CriuPrivileges CheckerPrivileges(ProcStatus? self)
    {
        uint euid = Libc.GetEffectiveUserId();
        return new CriuPrivileges(
            self?.Uids ?? CredentialIds.Of(euid),
            self?.Gids ?? CredentialIds.Of(euid),
            self?.CapEff ?? (euid == 0 ? CapabilitySet.All : CapabilitySet.None),
            PrivilegeSource.Checker);
    }

    /// <summary>criu exec'ed from here: its file capabilities on our credentials (security/commoncap.c).</summary>
    private static CriuPrivileges CriuFilePrivileges(CriuPrivileges checker, ProcStatus? self, string? criu)
    {
        FileCapabilities? file = criu is not null && Libc.GetXattrBytes(criu, "security.capability", out var xattr) == 0
            ? FileCapabilityParser.Parse(xattr)
            : null;
        var effective = ExecCapabilities.Effective(
            checker.Uids,
            self?.CapInh ?? CapabilitySet.None,
            self?.CapBnd ?? checker.Effective,
            self?.CapAmb ?? CapabilitySet.None,
            file);
        return checker with { Effective = effective, Source = PrivilegeSource.CriuFile, CriuFile = criu };
    }

    /// <summary>PATH, then the sbin and bin directories: criu usually runs as root through sudo, whose secure_path has them.</summary>
    private static IEnumerable<string> SearchPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin"])
            .Distinct(StringComparer.Ordinal);

    private static HashSet<string> FindTools()
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in SearchPath())
        {
            foreach (var tool in s_tools)
            {
                if (!found.Contains(tool) && File.Exists(Path.Combine(dir, tool)))
                {
                    found.Add(tool);
                }
            }
        }

        return found;
    }

    private static string? FindCriu()
    {
        return SearchPath().Select(d => Path.Combine(d, "criu")).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Whether the criu binary names libnftables among the libraries it needs (its ELF dynamic section holds the
    /// name as text); null when it cannot be read.
    /// </summary>
    private static bool? CriuLinksNftables(string criu)
    {
        try
        {
            return File.ReadAllBytes(criu).AsSpan().IndexOf("libnftables.so"u8) >= 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static List<string> FindPlugins()
    {
        const string dir = "/usr/lib/criu";
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.so").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
    }
}
