using System.Globalization;
using Checkpointable.Model;

namespace Checkpointable.Rules.Host;

/// <summary>
/// Reads the kernel refused (EACCES/EPERM) leave the verdict undecided: no guess is made from missing evidence.
/// The finding names what could not be read and the privilege that would read it; the subsystems that evidence
/// feeds are shown as '?' (<see cref="UnreadSubsystems"/>), never as a '1' made from nothing.
/// </summary>
public sealed class EvidenceRule : IRule
{
    public string Name => nameof(EvidenceRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            var denied = p.Errors.Where(e => e.Failure == ProbeFailure.Denied).ToList();
            if (denied.Count > 0)
            {
                // The fds first (most rules need them), the namespace links as one entry.
                string prefix = $"/proc/{p.Pid}/";
                var files = denied.Select(e => e.Path.StartsWith(prefix, StringComparison.Ordinal) ? e.Path[prefix.Length..] : e.Path)
                    .Select(f => f.StartsWith("ns/", StringComparison.Ordinal) ? "ns/*" : f)
                    .Distinct()
                    .OrderBy(f => f.StartsWith("fd", StringComparison.Ordinal) ? 0 : f.StartsWith("map", StringComparison.Ordinal) ? 1 : f == "ns/*" ? 3 : 2)
                    .ToList();
                string what = string.Join(", ", files.Take(6)) + (files.Count > 6 ? $" and {files.Count - 6} more" : string.Empty);
                c.Report("EVIDENCE", Subsystem.Host, p, "process",
                    $"cannot read {prefix}{{{what}}}: permission denied ({Privilege(p, c.Host)})",
                    severity: Severity.Unknown);
            }

            if (p.Mappings.FirstOrDefault(m => m.FileStatErrno is Interop.Libc.EACCES or Interop.Libc.EPERM) is { } m && denied.Count == 0)
            {
                c.Report("EVIDENCE", Subsystem.Host, p, "process",
                    $"cannot read /proc/{p.Pid}/map_files/ of {m.Path}: permission denied (map_files needs CAP_SYS_ADMIN: run as root)",
                    severity: Severity.Unknown);
            }
        }
    }

    /// <summary>
    /// The subsystems whose evidence for <paramref name="p"/> could not be read: fds feed files, sockets, tty and locks;
    /// maps and map_files feed mm; ns links, uid_map and gid_map feed namespaces; status and task feed task.
    /// </summary>
    public static IReadOnlySet<Subsystem> UnreadSubsystems(ProcessSnapshot p)
    {
        var unread = new HashSet<Subsystem>();
        foreach (var e in p.Errors)
        {
            if (e.Failure == ProbeFailure.Denied)
            {
                unread.UnionWith(Feeds(e.Path[(e.Path.IndexOf('/', "/proc/".Length) + 1)..]));
            }
        }

        if (p.Mappings.Any(m => m.FileStatErrno is Interop.Libc.EACCES or Interop.Libc.EPERM))
        {
            unread.Add(Subsystem.Mm);
        }

        return unread;
    }

    private static Subsystem[] Feeds(string file) => file switch
    {
        _ when file.StartsWith("fd", StringComparison.Ordinal) => [Subsystem.Files, Subsystem.Sockets, Subsystem.Tty, Subsystem.Locks],
        _ when file.StartsWith("map", StringComparison.Ordinal) => [Subsystem.Mm],
        _ when file.StartsWith("ns/", StringComparison.Ordinal) || file is "uid_map" or "gid_map" => [Subsystem.Namespaces],
        "cwd" or "root" or "exe" => [Subsystem.Files, Subsystem.Namespaces],
        _ => [Subsystem.Task],
    };

    /// <summary>
    /// /proc/PID/{fd,ns,maps,cwd,root} are guarded by ptrace_may_access(PTRACE_MODE_READ): the same uid as a dumpable
    /// process, or CAP_SYS_PTRACE; criu itself runs as root.
    /// </summary>
    private static string Privilege(ProcessSnapshot p, HostFacts host)
    {
        string owner = p.Status is { } st ? $"it runs as uid {st.Uid.ToString(CultureInfo.InvariantCulture)}, " : string.Empty;
        return $"{owner}this check as uid {host.EffectiveUserId.ToString(CultureInfo.InvariantCulture)}: run as root or with CAP_SYS_PTRACE";
    }
}
