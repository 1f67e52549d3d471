using Checkpointable.Model;

namespace Checkpointable.Rules.Memory;

/// <summary>
/// M-HUGE2: files on the kernel-internal hugetlbfs mounts (MAP_HUGETLB's <c>/anon_hugepage (deleted)</c>, hugetlb
/// memfds, SHM_HUGETLB segments) are dumped as anonymous memory, memfds or SysV IPC (proc_parse.c:352-364 and
/// :667-687, files.c:572, all through is_hugetlb_dev), never as files on a mount or ghost files. criu learns those
/// mounts' devices by mapping one free huge page of each size (kerndat.c:318); without one free and no kerndat
/// cache it does not, and looks the file up as on a mount no namespace has ("Can't lookup mount", files-reg.c:1790).
/// SysV segments are the IPC rule's.
/// </summary>
public sealed class HugetlbRule : IRule
{
    public string Name => nameof(HugetlbRule);

    public void Evaluate(RuleContext c)
    {
        foreach (var p in c.Processes)
        {
            foreach (var m in p.Mappings)
            {
                if (c.Host.HugetlbOf(m.Device) is { CriuFindsDevice: false } pool)
                {
                    Refuse(c, p, $"mapping {m.Range}", m.Path, pool, null);
                }
            }

            foreach (var fd in p.Fds)
            {
                if (fd.Stat is { } st && c.Host.HugetlbOf(st.Device) is { CriuFindsDevice: false } pool)
                {
                    Refuse(c, p, RuleContext.Fd(fd.Fd), fd.Link, pool, fd.Fd);
                }
            }
        }
    }

    private static void Refuse(RuleContext c, ProcessSnapshot p, string resource, string path, HugetlbPool pool, int? fd) =>
        c.Report("M-HUGE2", Subsystem.Mm, p, resource,
            $"{path} is on the kernel's hugetlbfs for {Size.Format(pool.PageSize)} pages, none of which is free for criu's probe mapping and no kerndat cache is kept: criu would take it for a file on an unknown mount",
            "Hugetlb size %llu Mb is supported but cannot get dev's number (criu/kerndat.c:324), then Can't lookup mount=%d for fd=%d path=%s (criu/files-reg.c:1790)",
            fd: fd, certainty: Certainty.Likely);
}
