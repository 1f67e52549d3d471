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

        return new HostFacts
        {
            CheckerPid = self,
            CheckerLineage = lineage,
            CheckerNamespaces = ns,
            IsRoot = Libc.GetEffectiveUserId() == 0,
            ShmemDevice = Libc.ShmemDevice(),
            Tools = FindTools(),
            HasLibNftables = CriuLinksNftables() ?? FindLibrary("libnftables.so.1"),
            Plugins = FindPlugins(),
            CheckerMounts = r.ReadText("/proc/self/mountinfo") is { } mi ? MountInfoParser.Parse(mi) : [],
            KernelRelease = (r.ReadText("/proc/sys/kernel/osrelease", record: false) ?? string.Empty).Trim(),
        };
    }

    private static HashSet<string> FindTools()
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";

        // criu is normally run as root through sudo, whose secure_path includes the sbin directories.
        var dirs = path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]).Distinct();
        foreach (var dir in dirs)
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

    /// <summary>
    /// --network-lock nftables works only with a criu built against libnftables: when criu is installed, ask its
    /// binary (the ELF names the library it needs); null when there is no criu here to ask.
    /// </summary>
    private static bool? CriuLinksNftables()
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"]))
        {
            string criu = Path.Combine(dir, "criu");
            if (!File.Exists(criu))
            {
                continue;
            }

            try
            {
                var bytes = File.ReadAllBytes(criu);
                return bytes.AsSpan().IndexOf("libnftables.so"u8) >= 0;
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        return null;
    }

    private static bool FindLibrary(string name) =>
        new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib64", "/lib" }
            .Any(d => File.Exists(Path.Combine(d, name)));

    private static List<string> FindPlugins()
    {
        const string dir = "/usr/lib/criu";
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.so").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
    }
}
