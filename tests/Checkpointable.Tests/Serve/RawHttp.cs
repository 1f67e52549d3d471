using System.Net.Sockets;
using System.Text;

namespace Checkpointable.Tests.Serve;

/// <summary>
/// Bytes written to serve's socket as a hostile client would, without an HTTP library that would refuse or repair
/// them; the answer read until the server closes the connection (every request sends `Connection: close` or is one
/// Kestrel drops), bounded so that a server that never answers fails the test instead of hanging it.
/// </summary>
internal static class RawHttp
{
    private static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(60);

    /// <summary>What came back: the first status (0 when the server closed without answering) and the first response's body.</summary>
    public sealed record Answer(int Status, string Body, string Raw);

    public static Answer Send(Uri address, byte[] request)
    {
        using var client = new TcpClient();
        client.Connect(address.Host, address.Port);
        client.ReceiveTimeout = (int)ReadBound.TotalMilliseconds;
        var stream = client.GetStream();
        try
        {
            stream.Write(request);
        }
        catch (IOException)
        {
            // The server may close as soon as it has seen enough of a bad request; its answer may still be readable.
        }

        return Read(stream);
    }

    public static Answer Send(Uri address, string request) => Send(address, Encoding.Latin1.GetBytes(request));

    /// <summary>Reads to the end of the connection; a reset counts as the end (Kestrel resets a connection it refuses mid-upload).</summary>
    public static Answer Read(NetworkStream stream)
    {
        var bytes = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int n;
            while ((n = stream.Read(buffer)) > 0)
            {
                bytes.Write(buffer, 0, n);
            }
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
        }

        string raw = Encoding.Latin1.GetString(bytes.ToArray());
        if (!raw.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || raw.Length < 12)
        {
            return new Answer(0, string.Empty, raw);
        }

        int status = int.Parse(raw.AsSpan(9, 3));
        int head = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        string body = head < 0 ? string.Empty : raw[(head + 4)..];
        if (head > 0 && raw[..head].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        int next = body.IndexOf("HTTP/1.1 ", StringComparison.Ordinal);
        return new Answer(status, next < 0 ? body : body[..next], raw);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        int at = 0;
        while (at < chunked.Length && chunked.IndexOf("\r\n", at, StringComparison.Ordinal) is int eol && eol > at
            && int.TryParse(chunked.AsSpan(at, eol - at), System.Globalization.NumberStyles.HexNumber, null, out int size) && size > 0
            && eol + 2 + size <= chunked.Length)
        {
            body.Append(chunked, eol + 2, size);
            at = eol + 2 + size + 2;
        }

        return body.ToString();
    }
}
