using System.Text;
using Checkpointable.Model;
using Checkpointable.Rules;

namespace Checkpointable.Render;

/// <summary>
/// The seed's per-fd view: the kernel's own fdinfo lines followed by "checkpointable: 1" or
/// "checkpointable: 0 (reason)", prefixed like `grep . /proc/PID/fdinfo/*` prints them.
/// </summary>
public static class FdInfoRenderer
{
    public static string Render(Judgement j)
    {
        var b = new StringBuilder();
        foreach (int pid in j.Tree.Members)
        {
            var p = j.Snapshot.Processes[pid];

            // Evidence that could not be read (its fd directory, as another user): said once per process, never
            // left as an empty listing that reads like "no descriptors".
            foreach (var f in j.For(pid).Where(f => f.Fd is null && f.Severity == Severity.Unknown))
            {
                b.Append($"/proc/{pid}/fd:").Append(Text.Line(f)).Append('\n');
            }

            foreach (var fd in p.Fds)
            {
                string prefix = $"/proc/{pid}/fdinfo/{fd.Fd}:";
                foreach (var line in File(j, pid, fd).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    b.Append(prefix).Append(line).Append('\n');
                }
            }
        }

        return b.ToString();
    }

    /// <summary>One fd's file: kernel lines, then one checkpointable line per finding (or "checkpointable: 1").</summary>
    public static string File(Judgement j, int pid, FdEntry fd)
    {
        var b = new StringBuilder();
        b.Append(fd.Info?.Text ?? "(fdinfo not read)\n");
        var findings = j.ForFd(pid, fd.Fd).ToList();
        if (findings.Count == 0 && fd.Info is null && fd.Error is { Failure: ProbeFailure.Denied } denied)
        {
            b.Append("checkpointable: ? (").Append(Text.Sanitize(denied.ToString())).Append(")\n");
        }
        else if (findings.Count == 0)
        {
            b.Append("checkpointable: 1\n");
        }

        foreach (var f in findings)
        {
            b.Append(Text.Line(f)).Append('\n');
        }

        return b.ToString();
    }
}
