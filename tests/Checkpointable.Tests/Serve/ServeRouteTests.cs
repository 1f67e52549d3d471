using Checkpointable.Serve;
using Xunit;

namespace Checkpointable.Tests.Serve;

/// <summary>serve's paths: the four endpoints, and a 4xx with a one-line reason for everything else.</summary>
public class ServeRouteTests
{
    [Theory]
    [InlineData("GET", "/healthz", ServeEndpoint.Health)]
    [InlineData("HEAD", "/metrics", ServeEndpoint.Metrics)]
    [InlineData("GET", "/v1/processes/1", ServeEndpoint.Process)]
    [InlineData("GET", "/v1/processes/4194304", ServeEndpoint.Process)]
    [InlineData("GET", "/v1/containers/AB12", ServeEndpoint.Container)]
    public void KnownPathsRoute(string method, string path, ServeEndpoint endpoint)
    {
        var r = ServeRoute.Parse(method, path, "");
        Assert.Equal(endpoint, r.Endpoint);
        Assert.Equal(200, r.Status);
    }

    [Fact]
    public void ArgumentsAreParsed()
    {
        Assert.Equal(4321, ServeRoute.Parse("GET", "/v1/processes/4321", "").Pid);
        Assert.Equal("ab12", ServeRoute.Parse("GET", "/v1/containers/AB12", "").Id);
    }

    [Theory]
    [InlineData("POST", "/metrics", "", 405)]
    [InlineData("DELETE", "/v1/processes/1", "", 405)]
    [InlineData("GET", "/metrics", "?pid=1", 400)]
    [InlineData("GET", "/v1/processes/0", "", 400)]
    [InlineData("GET", "/v1/processes/-1", "", 400)]
    [InlineData("GET", "/v1/processes/4194305", "", 400)]
    [InlineData("GET", "/v1/processes/99999999999999999999", "", 400)]
    [InlineData("GET", "/v1/processes/1/fd", "", 400)]
    [InlineData("GET", "/v1/processes/", "", 400)]
    [InlineData("GET", "/v1/containers/redis", "", 400)]
    [InlineData("GET", "/v1/containers/", "", 400)]
    [InlineData("GET", "/", "", 404)]
    [InlineData("GET", "/v1/processes", "", 404)]
    [InlineData("GET", "/../etc/passwd", "", 404)]
    public void EverythingElseIsA4xxWithOneLine(string method, string path, string query, int status)
    {
        var r = ServeRoute.Parse(method, path, query);
        Assert.Equal(ServeEndpoint.Error, r.Endpoint);
        Assert.Equal(status, r.Status);
        Assert.NotEmpty(r.Reason);
        Assert.DoesNotContain('\n', r.Reason);
    }

    [Fact]
    public void EchoedInputIsClippedAndControlCharactersReplaced()
    {
        var r = ServeRoute.Parse("GET", "/v1/containers/" + new string('z', 500) + "\r\nX-Evil: 1", "");
        Assert.True(r.Reason.Length < 200);
        Assert.DoesNotContain('\r', r.Reason);
    }
}
