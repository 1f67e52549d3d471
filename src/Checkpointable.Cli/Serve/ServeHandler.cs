using Checkpointable.Containers;
using Checkpointable.Predict;
using Checkpointable.Render;
using Checkpointable.Serve;
using Microsoft.AspNetCore.Http;

namespace Checkpointable.Cli.Serve;

/// <summary>
/// Answers serve's four endpoints. Host scans are shared (<see cref="SharedScan{T}"/>), and so are scans of one
/// process or container; those run in at most --max-scans slots, and a scan that finds no free slot within a few
/// seconds answers 503.
/// </summary>
public sealed class ServeHandler(ServeSettings settings, IReadOnlyList<string> criuTokens)
{
    private readonly SharedScan<HostView> _hostScan = new(() => HostView.Take(criuTokens, settings.CriuCaps), settings.MinAge);
    private readonly SemaphoreSlim _slots = new(settings.MaxScans, settings.MaxScans);
    private readonly ServeCounters _counters = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SharedScan<TargetAnswer>> _targets = new(StringComparer.Ordinal);
    private (HostView View, byte[] Text)? _rendered;

    /// <summary>Targets whose last answer is kept (for --min-age) before the cache is emptied.</summary>
    private const int MaxTargets = 1024;

    public async Task HandleAsync(HttpContext ctx)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        var route = ServeRoute.Parse(ctx.Request.Method, ctx.Request.Path.Value ?? string.Empty, ctx.Request.QueryString.Value ?? string.Empty);
        try
        {
            switch (route.Endpoint)
            {
                case ServeEndpoint.Health:
                    await Text(ctx, 200, "ok");
                    break;
                case ServeEndpoint.Metrics:
                    await Metrics(ctx);
                    break;
                case ServeEndpoint.Process:
                    await Scan(ctx, $"p{route.Pid}", () => Process(route.Pid));
                    break;
                case ServeEndpoint.Container:
                    await Scan(ctx, $"c{route.Id}", () => Container(route.Id));
                    break;
                default:
                    await Text(ctx, route.Status, route.Reason);
                    break;
            }
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client left; its scan (if any) finishes and frees its slot by itself.
        }
    }

    private async Task Metrics(HttpContext ctx)
    {
        HostView view;
        try
        {
            view = await _hostScan.GetAsync().WaitAsync(ServeSettings.ScanTimeout, ctx.RequestAborted);
        }
        catch (TimeoutException)
        {
            await Text(ctx, 504, $"the host scan took longer than {ServeSettings.ScanTimeout.TotalSeconds:0} s");
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Text(ctx, 500, $"host scan failed: {OneLine(e)}");
            return;
        }

        // Rendered once per host view: a flood of scrapes between two scans costs string copies, not renders.
        var rendered = _rendered;
        if (rendered is not { } r || !ReferenceEquals(r.View, view))
        {
            rendered = (view, System.Text.Encoding.UTF8.GetBytes(MetricsRenderer.RenderView(view, settings.ProcessMetrics)));
            _rendered = rendered;
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = PrometheusText.ContentType;
        await ctx.Response.Body.WriteAsync(rendered.Value.Text, ctx.RequestAborted);
        await ctx.Response.WriteAsync(MetricsRenderer.RenderCounters(_hostScan.Runs, _hostScan.Failures, _counters), ctx.RequestAborted);
    }

    /// <summary>
    /// Answers from one shared scan per target (a flood of requests for one PID costs one scan per --min-age), run
    /// in a free slot: at most --max-scans at once; a scan that finds no slot within a few seconds fails its
    /// callers with 503 and is not cached. Bounded in wait and time; the work returns (status, body).
    /// </summary>
    private async Task Scan(HttpContext ctx, string key, Func<(int Status, string Body)> work)
    {
        if (_targets.Count > MaxTargets)
        {
            _targets.Clear(); // distinct targets are many (pids); their scans are cheap to redo, their memory is not free
        }

        var shared = _targets.GetOrAdd(key, _ => new SharedScan<TargetAnswer>(() => InSlot(work), settings.MinAge));
        TargetAnswer answer;
        try
        {
            answer = await shared.GetAsync().WaitAsync(ServeSettings.ScanTimeout, ctx.RequestAborted);
        }
        catch (SlotsBusyException)
        {
            _counters.Reject();
            ctx.Response.Headers.RetryAfter = "1";
            await Text(ctx, 503, $"busy: {settings.MaxScans} scans are running; retry later");
            return;
        }
        catch (TimeoutException)
        {
            await Text(ctx, 504, $"the scan took longer than {ServeSettings.ScanTimeout.TotalSeconds:0} s");
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Text(ctx, 500, $"internal error: {OneLine(e)}");
            return;
        }

        if (answer.Status != 200)
        {
            await Text(ctx, answer.Status, answer.Body);
            return;
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await ctx.Response.WriteAsync(answer.Body, ctx.RequestAborted);
    }

    private async Task<TargetAnswer> InSlot(Func<(int Status, string Body)> work)
    {
        if (!await _slots.WaitAsync(ServeSettings.SlotWait).ConfigureAwait(false))
        {
            throw new SlotsBusyException();
        }

        try
        {
            _counters.TargetScan();
            var (status, body) = await Task.Run(work).ConfigureAwait(false);
            return new TargetAnswer(status, body);
        }
        finally
        {
            _slots.Release();
        }
    }

    private (int, string) Process(int pid)
    {
        try
        {
            var judgement = Predictor.JudgeTree(pid, Predictor.Options(criuTokens, settings.CriuCaps));
            return (200, JsonRenderer.Render(judgement, criuTokens));
        }
        catch (TargetException e)
        {
            return (Directory.Exists($"/proc/{pid}") ? 400 : 404, e.Message);
        }
    }

    private (int, string) Container(string id)
    {
        var index = ContainerScanner.Scan();
        int matches = index.Find(id).Count;
        if (matches != 1)
        {
            return matches == 0 ? (404, $"no running container with ID {id} on this host") : (400, $"container ID {id} is ambiguous: {matches} running containers start with it");
        }

        try
        {
            return (200, JsonRenderer.Render(Predictor.JudgeContainer(id, criuTokens, index, caps: settings.CriuCaps), criuTokens));
        }
        catch (TargetException e)
        {
            return (404, e.Message);
        }
    }

    private static Task Text(HttpContext ctx, int status, string line)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        return ctx.Response.WriteAsync(line + "\n", ctx.RequestAborted);
    }

    private static string OneLine(Exception e) => $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";
}
