using Checkpointable.Model;

namespace Checkpointable.Rules.Host;

/// <summary>Reads the kernel refused (EACCES/EPERM) leave the verdict undecided: no guess is made from missing evidence.</summary>
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
                string what = string.Join(", ", denied.Take(3).Select(e => e.Path.Replace($"/proc/{p.Pid}/", string.Empty, StringComparison.Ordinal)));
                c.Report("EVIDENCE", Subsystem.Host, p, "process",
                    $"could not read {what}{(denied.Count > 3 ? $" and {denied.Count - 3} more" : string.Empty)} (permission denied: run as root or as the process owner)",
                    severity: Severity.Unknown);
            }

            if (p.Mappings.FirstOrDefault(m => m.FileStatErrno is Interop.Libc.EACCES or Interop.Libc.EPERM) is { } m && !denied.Any())
            {
                c.Report("EVIDENCE", Subsystem.Host, p, "process", $"could not read map_files of {m.Path} (needs CAP_SYS_ADMIN)", severity: Severity.Unknown);
            }
        }
    }
}
