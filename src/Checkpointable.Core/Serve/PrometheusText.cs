using System.Globalization;
using System.Text;

namespace Checkpointable.Serve;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: `# HELP`, `# TYPE`, then one
/// `name{label="value",…} number` line per sample; label values escape \, " and newline, HELP text \ and newline.
/// </summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _b = new();

    public PrometheusText Family(string name, string type, string help)
    {
        _b.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _b.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    public PrometheusText Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        _b.Append(name);
        if (labels.Length > 0)
        {
            _b.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _b.Append(',');
                }

                _b.Append(labels[i].Name).Append("=\"");
                foreach (char ch in labels[i].Value)
                {
                    _ = ch switch
                    {
                        '\\' => _b.Append("\\\\"),
                        '"' => _b.Append("\\\""),
                        '\n' => _b.Append("\\n"),
                        _ => _b.Append(ch),
                    };
                }

                _b.Append('"');
            }

            _b.Append('}');
        }

        _b.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    public override string ToString() => _b.ToString();

    private static string Format(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);
}
