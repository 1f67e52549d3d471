using System.Net.Sockets;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Serve;

/// <summary>
/// serve attacked through a raw socket: methods it does not serve, request smuggling shapes, oversized request lines and
/// headers, path traversal and hostile PIDs and ids, a slowloris client, hundreds of concurrent connections. Every
/// answer must be a 4xx/5xx (with a one-line body where serve writes it; Kestrel's own refusals have none) or a closed
/// connection; the server must stay up and its memory bounded.
/// </summary>
public sealed class ServeAbuseTests(ITestOutputHelper output)
{
    private const string Close = "Host: localhost\r\nConnection: close\r\n";

    public static TheoryData<string, string> Requests() => new()
    {
        { "POST", $"POST /metrics HTTP/1.1\r\n{Close}Content-Length: 0\r\n\r\n" },
        { "POST with a body", $"POST /healthz HTTP/1.1\r\n{Close}Content-Length: 5\r\n\r\nhello" },
        { "PUT", $"PUT /v1/processes/1 HTTP/1.1\r\n{Close}Content-Length: 0\r\n\r\n" },
        { "DELETE", $"DELETE /v1/processes/1 HTTP/1.1\r\n{Close}\r\n" },
        { "TRACE", $"TRACE / HTTP/1.1\r\n{Close}\r\n" },
        { "OPTIONS", $"OPTIONS * HTTP/1.1\r\n{Close}\r\n" },
        { "CONNECT", $"CONNECT 127.0.0.1:22 HTTP/1.1\r\n{Close}\r\n" },
        { "garbage method", $"FROB /healthz HTTP/1.1\r\n{Close}\r\n" },
        { "garbage line", "\x01\x02\x03 nonsense\r\n\r\n" },
        { "HTTP/2 preface on HTTP/1", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" },
        { "Content-Length and Transfer-Encoding", $"POST /healthz HTTP/1.1\r\n{Close}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1/processes/abc HTTP/1.1\r\nHost: x\r\n\r\n" },
        { "GET with chunked body and a smuggled request", $"GET /nowhere HTTP/1.1\r\n{Close}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n" },
        { "duplicate Content-Length", $"POST /healthz HTTP/1.1\r\n{Close}Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello" },
        { "bad Transfer-Encoding", $"POST /healthz HTTP/1.1\r\n{Close}Transfer-Encoding: xchunked\r\n\r\n" },
        { "obs-fold", $"GET /nowhere HTTP/1.1\r\n{Close}X-Folded: a\r\n  b\r\n\r\n" },
        { "header without colon", $"GET /nowhere HTTP/1.1\r\n{Close}NoColonHere\r\n\r\n" },
        { "bare LF", "GET /nowhere HTTP/1.1\nHost: x\nConnection: close\n\n" },
        { "huge header", $"GET /healthz HTTP/1.1\r\n{Close}X-Big: {new string('a', 64 * 1024)}\r\n\r\n" },
        { "many headers", $"GET /healthz HTTP/1.1\r\n{Close}{string.Concat(Enumerable.Range(0, 200).Select(i => $"X-H{i}: {i}\r\n"))}\r\n" },
        { "huge URL", $"GET /v1/processes/{new string('9', 100 * 1024)} HTTP/1.1\r\n{Close}\r\n" },
        { "URL just under the line limit", $"GET /v1/containers/{new string('a', 3900)} HTTP/1.1\r\n{Close}\r\n" },
        { "traversal", $"GET /v1/processes/../../etc/passwd HTTP/1.1\r\n{Close}\r\n" },
        { "encoded traversal", $"GET /v1/processes/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n{Close}\r\n" },
        { "encoded slash", $"GET /v1/processes/1%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\n{Close}\r\n" },
        { "encoded NUL", $"GET /v1/processes/1%00 HTTP/1.1\r\n{Close}\r\n" },
        { "raw NUL", $"GET /v1/processes/1\0 HTTP/1.1\r\n{Close}\r\n" },
        { "absolute URI of another host", $"GET http://example.com/etc/passwd HTTP/1.1\r\n{Close}\r\n" },
        { "non-numeric PID", $"GET /v1/processes/abc HTTP/1.1\r\n{Close}\r\n" },
        { "negative PID", $"GET /v1/processes/-1 HTTP/1.1\r\n{Close}\r\n" },
        { "PID with a sign", $"GET /v1/processes/+1 HTTP/1.1\r\n{Close}\r\n" },
        { "overflowing PID", $"GET /v1/processes/99999999999999999999 HTTP/1.1\r\n{Close}\r\n" },
        { "PID past pid_max", $"GET /v1/processes/4194305 HTTP/1.1\r\n{Close}\r\n" },
        { "PID zero", $"GET /v1/processes/0 HTTP/1.1\r\n{Close}\r\n" },
        { "very long container id", $"GET /v1/containers/{new string('f', 2000)} HTTP/1.1\r\n{Close}\r\n" },
        { "container id with traversal", $"GET /v1/containers/..%2f..%2fetc HTTP/1.1\r\n{Close}\r\n" },
        { "query string", $"GET /metrics?config=/etc/shadow HTTP/1.1\r\n{Close}\r\n" },
        { "HTTP/1.0 without Host", "GET /admin HTTP/1.0\r\n\r\n" },
        { "HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n" },
        { "two Host headers", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n" },
        { "unknown version", $"GET /healthz HTTP/9.9\r\n{Close}\r\n" },
    };

    [Fact]
    public void HostileRequestsGetA4xxOrAClosedConnectionAndTheServerStaysUp()
    {
        using var serve = ServeProcess.Start();
        Assert.Equal("ok", serve.Get("healthz", out int before).Trim());
        Assert.Equal(200, before);
        long rssBefore = serve.RssKiB();
        var failures = new List<string>();
        for (int round = 0; round < 5; round++)
        {
            foreach (var row in Requests())
            {
                string name = (string)row[0], request = (string)row[1];
                var answer = RawHttp.Send(serve.Address, request);
                if (round == 0)
                {
                    output.WriteLine($"{name}: {(answer.Status == 0 ? "closed" : answer.Status.ToString())} {answer.Body.Trim()}");
                }

                if (answer.Status is not (0 or >= 400 and < 600))
                {
                    failures.Add($"{name}: status {answer.Status}\n{answer.Raw}");
                }
                else if (answer.Body.TrimEnd('\n').Contains('\n', StringComparison.Ordinal) || answer.Body.Length > 300)
                {
                    failures.Add($"{name}: body is not one short line: {answer.Body}");
                }
            }
        }

        Assert.False(serve.HasExited, "serve exited");
        Assert.Equal(200, RawHttp.Send(serve.Address, $"GET /healthz HTTP/1.1\r\n{Close}\r\n").Status);
        long rssAfter = serve.RssKiB();
        output.WriteLine($"VmRSS {rssBefore} KiB before, {rssAfter} KiB after {5 * Requests().Count} hostile requests");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.True(rssAfter < (3 * rssBefore) + (100 * 1024), $"VmRSS grew from {rssBefore} KiB to {rssAfter} KiB");
    }

    [Fact]
    public void SmuggledRequestsAreNotAnsweredAsTheirOwn()
    {
        // Content-Length and Transfer-Encoding together: if the chunked body ended the first request, a second request
        // hidden after it must not be answered 200 (a front proxy trusting Content-Length would never have sent it).
        using var serve = ServeProcess.Start();
        var answer = RawHttp.Send(serve.Address, $"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.True(answer.Status is 0 or >= 400, answer.Raw);
        Assert.DoesNotContain("HTTP/1.1 200", answer.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public void ASlowlorisClientIsDroppedAndDoesNotBlockOthers()
    {
        using var serve = ServeProcess.Start();
        using var slow = new TcpClient();
        slow.Connect(serve.Address.Host, serve.Address.Port);
        var stream = slow.GetStream();
        stream.Write(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
        bool dropped = false;
        var bound = DateTime.UtcNow.AddSeconds(90); // Kestrel's header timeout is 10 s; this only bounds the test
        int trickled = 0;
        while (!dropped && DateTime.UtcNow < bound)
        {
            try
            {
                stream.Write(Encoding.ASCII.GetBytes($"X-{trickled}: a\r\n"));
                trickled++;
                if (trickled % 10 == 0)
                {
                    // Meanwhile another client is served at once.
                    Assert.Equal(200, RawHttp.Send(serve.Address, $"GET /healthz HTTP/1.1\r\n{Close}\r\n").Status);
                }

                if (slow.Client.Poll(500_000, SelectMode.SelectRead))
                {
                    dropped = true; // readable: Kestrel's 408 or the end of the connection
                }
            }
            catch (IOException)
            {
                dropped = true;
            }
        }

        output.WriteLine($"dropped after {trickled} trickled header lines");
        Assert.True(dropped, "the slowloris connection was never dropped");
        Assert.Equal(200, RawHttp.Send(serve.Address, $"GET /healthz HTTP/1.1\r\n{Close}\r\n").Status);
    }

    [Fact]
    public async Task ManyConcurrentConnectionsAreAllAnsweredAndMemoryStaysBounded()
    {
        using var serve = ServeProcess.Start();
        Assert.Equal(200, RawHttp.Send(serve.Address, $"GET /healthz HTTP/1.1\r\n{Close}\r\n").Status);
        long rssBefore = serve.RssKiB();

        // 300 idle connections held open (each sent half a request line) while 400 requests arrive on others.
        var idle = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 300; i++)
            {
                var c = new TcpClient();
                c.Connect(serve.Address.Host, serve.Address.Port);
                c.GetStream().Write("GET /hea"u8);
                idle.Add(c);
            }

            string[] paths = ["/healthz", "/v1/processes/abc", "/v1/containers/zz", "/nowhere", "/v1/processes/4194303"];
            var answers = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() =>
                RawHttp.Send(serve.Address, $"GET {paths[i % paths.Length]} HTTP/1.1\r\n{Close}\r\n"))));
            var statuses = answers.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}");
            output.WriteLine(string.Join(", ", statuses));
            Assert.All(answers.Where((_, i) => paths[i % paths.Length] == "/healthz"), a => Assert.Equal(200, a.Status));
            Assert.All(answers.Where((_, i) => paths[i % paths.Length] != "/healthz"), a => Assert.InRange(a.Status, 400, 499));
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
        }

        Assert.False(serve.HasExited);
        long rssAfter = serve.RssKiB();
        output.WriteLine($"VmRSS {rssBefore} KiB before, {rssAfter} KiB after");
        Assert.True(rssAfter < (3 * rssBefore) + (100 * 1024), $"VmRSS grew from {rssBefore} KiB to {rssAfter} KiB");
        Assert.Equal(200, RawHttp.Send(serve.Address, $"GET /healthz HTTP/1.1\r\n{Close}\r\n").Status);
    }
}
