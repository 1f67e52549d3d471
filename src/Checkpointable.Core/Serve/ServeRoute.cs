using System.Globalization;

namespace Checkpointable.Serve;

/// <summary>What a request asks for.</summary>
public enum ServeEndpoint
{
    Health,
    Metrics,
    Process,
    Container,
    Error,
}

/// <summary>
/// serve's routes, parsed by hand (four fixed paths need no router): GET or HEAD only, no query string, a
/// PID of 1 to 4194304 (the kernel's PID_MAX_LIMIT), a container id of 1 to 64 hex digits. Anything else
/// gets a 4xx status and a one-line reason.
/// </summary>
public sealed record ServeRoute(ServeEndpoint Endpoint, int Pid = 0, string Id = "", int Status = 200, string Reason = "")
{
    public const int PidMaxLimit = 4 * 1024 * 1024;

    private const string Paths = "GET /metrics, /healthz, /v1/processes/PID or /v1/containers/ID";

    public static ServeRoute Parse(string method, string path, string query)
    {
        if (method is not ("GET" or "HEAD"))
        {
            return Fail(405, $"method {Clip(method)} not allowed: this server is read-only ({Paths})");
        }

        if (query.Length > 0)
        {
            return Fail(400, "query strings are not accepted: criu options are fixed when serve starts");
        }

        switch (path)
        {
            case "/healthz":
                return new(ServeEndpoint.Health);
            case "/metrics":
                return new(ServeEndpoint.Metrics);
        }

        if (path.StartsWith("/v1/processes/", StringComparison.Ordinal))
        {
            string arg = path["/v1/processes/".Length..];
            return int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid is > 0 and <= PidMaxLimit
                ? new(ServeEndpoint.Process, Pid: pid)
                : Fail(400, $"'{Clip(arg)}' is not a PID (1 to {PidMaxLimit})");
        }

        if (path.StartsWith("/v1/containers/", StringComparison.Ordinal))
        {
            string arg = path["/v1/containers/".Length..];
            return arg.Length is > 0 and <= 64 && arg.All(char.IsAsciiHexDigit)
                ? new(ServeEndpoint.Container, Id: arg.ToLowerInvariant())
                : Fail(400, $"'{Clip(arg)}' is not a container ID (1 to 64 hex digits)");
        }

        return Fail(404, $"no such endpoint {Clip(path)} ({Paths})");
    }

    private static ServeRoute Fail(int status, string reason) => new(ServeEndpoint.Error, Status: status, Reason: reason);

    /// <summary>Echo at most 64 printable characters of what the client sent.</summary>
    private static string Clip(string s) =>
        new([.. s.Take(64).Select(ch => ch is < ' ' or > '~' ? '?' : ch)]);
}
