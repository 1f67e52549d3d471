using Checkpointable.Probes.ProcFs;

namespace Checkpointable.Predict;

/// <summary>Checks a PID before judging it, so bad input gets a clear message instead of a verdict.</summary>
public static class Target
{
    public static void Validate(int pid)
    {
        if (pid <= 0)
        {
            throw new TargetException($"invalid PID {pid}");
        }

        string status;
        try
        {
            status = File.ReadAllText($"/proc/{pid}/status");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TargetException($"no such process: {pid}");
        }
        catch (UnauthorizedAccessException)
        {
            return; // the probe records what it cannot read; the verdict becomes undecided
        }
        catch (IOException e)
        {
            throw new TargetException($"cannot read /proc/{pid}/status: {e.Message}");
        }

        if (StatusParser.TryParse(status, out var st) && st.Tgid != st.Pid)
        {
            throw new TargetException($"{pid} is a thread of process {st.Tgid}; use -t {st.Tgid} (criu dump -t {pid} would abort at pstree.c:484)");
        }
    }
}
