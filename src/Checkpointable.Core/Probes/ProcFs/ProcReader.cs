using System.Text;
using Checkpointable.Interop;
using Checkpointable.Model;

namespace Checkpointable.Probes.ProcFs;

/// <summary>Reads /proc files with one reusable buffer per thread and turns errno into <see cref="ProbeError"/>s.</summary>
internal sealed class ProcReader
{
    [ThreadStatic]
    private static byte[]? t_buffer;

    private readonly List<ProbeError> _errors = [];

    public IReadOnlyList<ProbeError> Errors => _errors;

    /// <summary>Reads a whole file as UTF-8 text; on failure records the error and returns null.</summary>
    public string? ReadText(string path, bool record = true)
    {
        var buffer = t_buffer ??= new byte[64 * 1024];
        int rc = Libc.ReadFile(path, ref buffer, out int length);
        t_buffer = buffer;
        if (rc != 0)
        {
            Note(path, rc, record);
            return null;
        }

        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>Reads a whole file as UTF-8 text; on failure returns null and the error, without recording it.</summary>
    public static string? ReadText(string path, out ProbeError? error)
    {
        var buffer = t_buffer ??= new byte[64 * 1024];
        int rc = Libc.ReadFile(path, ref buffer, out int length);
        t_buffer = buffer;
        error = rc == 0 ? null : ProbeError.FromErrno(path, rc);
        return rc == 0 ? Encoding.UTF8.GetString(buffer, 0, length) : null;
    }

    public string? ReadLink(string path, bool record = true)
    {
        int rc = Libc.ReadLink(path, out string target);
        if (rc != 0)
        {
            Note(path, rc, record);
            return null;
        }

        return target;
    }

    public FileStat? Stat(string path, bool record = true)
    {
        int rc = Libc.Stat(path, out var st);
        if (rc != 0)
        {
            Note(path, rc, record);
            return null;
        }

        return st;
    }

    public List<int>? ListNumbers(string path, bool record = true)
    {
        var list = new List<int>();
        int rc = Libc.ListNumbers(path, list);
        if (rc != 0)
        {
            Note(path, rc, record);
            return null;
        }

        return list;
    }

    public void Record(ProbeError error) => _errors.Add(error);

    private void Note(string path, int errno, bool record)
    {
        if (record)
        {
            _errors.Add(ProbeError.FromErrno(path, errno));
        }
    }
}
