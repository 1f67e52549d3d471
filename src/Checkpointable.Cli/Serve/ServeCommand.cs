using Checkpointable.Predict;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Checkpointable.Cli.Serve;

/// <summary>
/// `checkpointable serve`: an HTTP agent on Kestrel (ASP.NET Core's slim builder, Native AOT): GET /metrics,
/// /healthz, /v1/processes/PID, /v1/containers/ID. Read-only; loopback unless --listen says otherwise.
/// </summary>
public static class ServeCommand
{
    public static int Run(ServeSettings settings, IReadOnlyList<string> criuTokens, TextWriter output)
    {
        _ = Predictor.Options(criuTokens); // bad criu options fail here, once, not on every request

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(settings.Listen);
            k.AddServerHeader = false;
            k.Limits.MaxConcurrentConnections = 1024;
            k.Limits.MaxRequestBodySize = 0; // GET only: a request with a body is refused (413)
            k.Limits.MaxRequestLineSize = 4096;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Limits.MaxRequestHeaderCount = 50;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
        });

        var app = builder.Build();
        var handler = new ServeHandler(settings, criuTokens);
        ((IApplicationBuilder)app).Run(handler.HandleAsync);
        try
        {
            app.Start();
        }
        catch (IOException e)
        {
            throw new UserFacingException($"cannot listen on {settings.Listen}: {e.Message.Split('\n')[0]}");
        }

        // The bound address (the real port when --listen asked for port 0), for scripts and tests.
        output.WriteLine($"listening on {string.Join(' ', app.Urls)}");
        output.Flush();
        app.WaitForShutdown();
        return ExitCodes.Checkpointable;
    }
}
