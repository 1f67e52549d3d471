using Checkpointable.Serve;
using Xunit;

namespace Checkpointable.Tests.Serve;

/// <summary>The exposition format: HELP and TYPE lines, escaped label values, Prometheus' number spelling.</summary>
public class PrometheusTextTests
{
    [Fact]
    public void WritesFamiliesSamplesAndEscapes()
    {
        var text = new PrometheusText()
            .Family("x_total", "counter", "a \\ help\nline")
            .Sample("x_total", 3)
            .Sample("x_total", 0.5, ("comm", "a\"b\\c\nd"), ("rule", "L1"))
            .Sample("x_total", double.NaN)
            .ToString();
        Assert.Equal(
            "# HELP x_total a \\\\ help\\nline\n# TYPE x_total counter\nx_total 3\nx_total{comm=\"a\\\"b\\\\c\\nd\",rule=\"L1\"} 0.5\nx_total NaN\n",
            text);
    }
}
