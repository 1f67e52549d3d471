using System.Globalization;
using System.Security.Cryptography;

namespace Checkpointable.Tests.Containers;

/// <summary>
/// A cgroup this test makes to look like a container runtime's: on cgroup v2,
/// `/checkpointable-test-RAND/docker-ID.scope` (Docker's systemd driver); on a v1 hierarchy,
/// `/checkpointable-test-RAND/docker/ID` (Docker's cgroupfs driver). Processes moved into it are moved back to
/// the hierarchy's root on Dispose, and the directories are removed (bounded retries: rmdir fails while a
/// dying process is still counted).
/// </summary>
public sealed class TestCgroup : IDisposable
{
    private readonly string _mount;
    private readonly string _top;
    private readonly List<int> _moved = [];

    private TestCgroup(string mount, string top, string dir, string id)
    {
        _mount = mount;
        _top = top;
        Directory = dir;
        Id = id;
    }

    /// <summary>The 64-hex container id in the path.</summary>
    public string Id { get; }

    public string Directory { get; }

    /// <summary>Creates the cgroup on cgroup v2 (<paramref name="v1Controller"/> null) or on the v1 hierarchy of that controller; null when this machine has no such hierarchy or we are not root.</summary>
    public static TestCgroup? Create(string? v1Controller = null)
    {
        if (Environment.UserName != "root" || MountOf(v1Controller) is not { } mount)
        {
            return null;
        }

        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        string top = Path.Combine(mount, $"checkpointable-test-{id[..8]}");
        string dir = v1Controller is null ? Path.Combine(top, $"docker-{id}.scope") : Path.Combine(top, "docker", id);
        System.IO.Directory.CreateDirectory(dir);
        return new TestCgroup(mount, top, dir, id);
    }

    public void Move(int pid)
    {
        File.WriteAllText(Path.Combine(Directory, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
        _moved.Add(pid);
    }

    public void Dispose()
    {
        foreach (int pid in _moved)
        {
            try
            {
                File.WriteAllText(Path.Combine(_mount, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // gone already
            }
        }

        var dirs = System.IO.Directory.GetDirectories(_top, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(_top);
        foreach (var d in dirs)
        {
            for (int attempt = 0; attempt < 50; attempt++)
            {
                try
                {
                    System.IO.Directory.Delete(d);
                    break;
                }
                catch (IOException)
                {
                    Thread.Sleep(100);
                }
            }
        }
    }

    /// <summary>Where cgroup2 (or the v1 hierarchy with that controller) is mounted, from our mountinfo.</summary>
    private static string? MountOf(string? v1Controller)
    {
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            int sep = Array.IndexOf(fields, "-");
            if (sep < 0 || sep + 3 >= fields.Length || fields[3] != "/")
            {
                continue;
            }

            string type = fields[sep + 1];
            if (v1Controller is null ? type == "cgroup2" : type == "cgroup" && fields[sep + 3].Split(',').Contains(v1Controller))
            {
                return fields[4];
            }
        }

        return null;
    }
}
