using System.Globalization;
using Checkpointable.Render;
using Checkpointable.Rules;

namespace Checkpointable.Serve;

/// <summary>
/// GET /metrics: the host view as Prometheus metrics, named by its conventions (prefix, base units, `_total` for
/// counters). Per-process series only when asked: pids come and go, and each one is a new series.
/// Labels carry ids, rule ids, verdict words and (per process) comm, never command lines, environments or file names.
/// </summary>
public static class MetricsRenderer
{
    public static string Render(HostView? view, long scans, long scanFailures, ServeCounters counters, bool perProcess) =>
        (view is null ? string.Empty : RenderView(view, perProcess)) + RenderCounters(scans, scanFailures, counters);

    /// <summary>The families that depend only on one host view: rendered once per view, however many scrapes read it.</summary>
    public static string RenderView(HostView view, bool perProcess)
    {
        var m = new PrometheusText();
        Containers(m, view);
        Processes(m, view, perProcess);
        m.Family("checkpointable_scan_duration_seconds", "gauge", "Time the last host scan took (processes, containers, judging).")
            .Sample("checkpointable_scan_duration_seconds", Math.Round(view.Duration.TotalSeconds, 6));
        m.Family("checkpointable_scan_timestamp_seconds", "gauge", "Unix time the last host scan finished (results are shared between scrapes).")
            .Sample("checkpointable_scan_timestamp_seconds", Math.Round(view.FinishedAt.ToUnixTimeMilliseconds() / 1000.0, 3));
        return m.ToString();
    }

    /// <summary>The counters, current at every scrape.</summary>
    public static string RenderCounters(long scans, long scanFailures, ServeCounters counters)
    {
        var m = new PrometheusText();
        m.Family("checkpointable_scans_total", "counter", "Host scans started; concurrent and repeated scrapes share one.")
            .Sample("checkpointable_scans_total", scans);
        m.Family("checkpointable_scrape_errors_total", "counter", "Host scans that failed.")
            .Sample("checkpointable_scrape_errors_total", scanFailures);
        m.Family("checkpointable_target_scans_total", "counter", "Scans of one process or container (/v1/processes, /v1/containers).")
            .Sample("checkpointable_target_scans_total", counters.TargetScans);
        m.Family("checkpointable_requests_rejected_total", "counter", "Requests refused with 503 because the cap on concurrent scans was reached.")
            .Sample("checkpointable_requests_rejected_total", counters.Rejected);
        return m.ToString();
    }

    private static void Containers(PrometheusText m, HostView view)
    {
        m.Family("checkpointable_container_checkpointable", "gauge",
            "1 if the container's init tree could be checkpointed now with its runtime's criu options, 0 if not; absent when undecided.");
        foreach (var c in view.ContainerJudgements.Where(c => c.Judgement.Verdict != Verdict.Undecided))
        {
            m.Sample("checkpointable_container_checkpointable", c.Judgement.Verdict == Verdict.Checkpointable ? 1 : 0, Labels(c));
        }

        m.Family("checkpointable_container_undecided", "gauge", "1 for a container whose verdict could not be decided (evidence unreadable).");
        foreach (var c in view.ContainerJudgements.Where(c => c.Judgement.Verdict == Verdict.Undecided))
        {
            m.Sample("checkpointable_container_undecided", 1, Labels(c));
        }

        m.Family("checkpointable_container_blockers", "gauge", "Blocking findings in the container's tree, by rule id (criu-dump-rules.md).");
        foreach (var c in view.ContainerJudgements)
        {
            foreach (var rule in c.Judgement.Blockers.GroupBy(f => f.RuleId).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                m.Sample("checkpointable_container_blockers", rule.Count(), [.. Labels(c), ("rule", rule.Key)]);
            }
        }
    }

    private static void Processes(PrometheusText m, HostView view, bool perProcess)
    {
        var rows = view.Scan.Judgements.Select(j => (Judgement: j, Row: HostTableRenderer.Row(j, view.Containers))).ToList();
        m.Family("checkpointable_processes", "gauge", "Processes of the host, each judged as the root of its own tree, by verdict (yes, no, options, unknown, kthread).");
        foreach (var verdict in new[] { "yes", "no", "options", "unknown", "kthread" })
        {
            m.Sample("checkpointable_processes", rows.Count(r => r.Row.Verdict == verdict), ("verdict", verdict));
        }

        // A finding about a child is also a blocker of every ancestor's tree: count each where it belongs, once.
        m.Family("checkpointable_blockers", "gauge", "Blocking findings on the host by rule id, each counted once, at the process it is about.");
        var byRule = view.Scan.Judgements
            .SelectMany(j => j.Blockers.Where(f => f.Pid == j.Tree.Root))
            .GroupBy(f => f.RuleId)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var rule in byRule)
        {
            m.Sample("checkpointable_blockers", rule.Count(), ("rule", rule.Key));
        }

        if (perProcess)
        {
            m.Family("checkpointable_process_checkpointable", "gauge", "1 if the process's tree could be checkpointed now, 0 if not; absent when undecided or a kernel thread.");
            foreach (var (_, row) in rows.Where(r => r.Row.Verdict is "yes" or "no" or "options"))
            {
                m.Sample("checkpointable_process_checkpointable", row.Verdict == "yes" ? 1 : 0,
                    ("pid", row.Pid.ToString(CultureInfo.InvariantCulture)), ("comm", row.Command), ("container_id", view.Containers.Of(row.Pid)?.Id ?? string.Empty));
            }
        }
    }

    private static (string, string)[] Labels(Predict.ContainerJudgement c) =>
        [("container_id", c.Container.Id), ("runtime", c.Container.Runtime), ("pod_uid", c.Container.PodUid ?? string.Empty)];
}
