using System.Diagnostics;
using System.Globalization;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Live;

/// <summary>
/// Every factory of the subject program builds a live tree that really is there, keeps nothing of
/// the launcher's stdio, and is gone after Dispose. A few factories are checked for their state.
/// </summary>
public sealed class SubjectTests(ITestOutputHelper output)
{
    public static TheoryData<string> Factories()
    {
        var data = new TheoryData<string>();
        foreach (var name in ListFactories())
        {
            data.Add(name);
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Factories))]
    public void FactoryBuildsALiveTreeAndDisposeLeavesNothing(string factory)
    {
        List<(int Pid, ulong Start)> tree;
        using (var subject = Subject.StartOrSkip(factory))
        {
            var root = subject.RootPid;
            Assert.True(Directory.Exists($"/proc/{root}"), $"/proc/{root} does not exist");
            Assert.NotEqual(subject.LauncherPid, root);
            Assert.DoesNotContain(root, Subject.Descendants(root));

            tree = [.. new[] { root }.Concat(Subject.Descendants(root))
                .Select(p => (p, Subject.ReadStat(p)?.StartTime ?? 0))];
            output.WriteLine($"{factory}: launcher {subject.LauncherPid}, root {root}, tree {string.Join(' ', tree.Select(t => t.Pid))}");

            CheckStdio(factory, subject);
            CheckNothingOfTheLauncherStdio(subject, tree.Select(t => t.Pid));
            if (StateChecks.TryGetValue(factory, out var check))
            {
                check(subject);
                output.WriteLine($"{factory}: state checked");
            }
        }

        var deadline = Stopwatch.StartNew();
        while (tree.Any(Alive) && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(20);
        }

        Assert.Empty(tree.Where(Alive).Select(t => t.Pid));
    }

    [Fact]
    public void ListNamesEveryFactoryOnce()
    {
        var names = ListFactories();
        Assert.True(names.Count >= 100, $"only {names.Count} factories listed");
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("sleep", names);
    }

    [Fact]
    public void UnknownFactoryIsAUsageError()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Subject.Start("no-such-factory"));
        Assert.Contains("status 2", e.Message, StringComparison.Ordinal);
    }

    private static bool Alive((int Pid, ulong Start) p) =>
        Subject.ReadStat(p.Pid) is { } stat && stat.StartTime == p.Start;

    private static List<string> ListFactories()
    {
        var psi = new ProcessStartInfo(Subject.ExecutablePath, "--list")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot run subject --list");
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"subject --list exited {p.ExitCode}");
        }

        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0])];
    }

    // ---- generic checks ------------------------------------------------------------------------

    private static void CheckStdio(string factory, Subject s)
    {
        var links = FdLinks(s.RootPid);
        for (var fd = 0; fd < 3; fd++)
        {
            if (factory is "zombie-leader-threads" or "zombie-root")
            {
                return;   // a zombie shows no fd table
            }

            Assert.True(links.TryGetValue(fd, out var link), $"root has no fd {fd}");
            if (factory is "shell-job")
            {
                Assert.StartsWith("/dev/pts/", link, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal("/dev/null", link);
            }
        }
    }

    /// <summary>No process of the tree holds the pipes the test talks to the launcher through.</summary>
    private static void CheckNothingOfTheLauncherStdio(Subject s, IEnumerable<int> tree)
    {
        var launcher = FdLinks(s.LauncherPid);
        var pipes = new HashSet<string>(StringComparer.Ordinal);
        for (var fd = 0; fd < 3; fd++)
        {
            if (launcher.TryGetValue(fd, out var l) && l.StartsWith("pipe:", StringComparison.Ordinal))
            {
                pipes.Add(l);
            }
        }

        foreach (var pid in tree)
        {
            foreach (var (fd, link) in FdLinks(pid))
            {
                Assert.False(pipes.Contains(link), $"pid {pid} fd {fd} is the launcher's stdio {link}");
            }
        }
    }

    // ---- state checks for some factories ---------------------------------------------------------

    private static readonly Dictionary<string, Action<Subject>> StateChecks = new(StringComparer.Ordinal)
    {
        ["sleep"] = s =>
        {
            Assert.Single(Directory.GetDirectories($"/proc/{s.RootPid}/task"));
            Assert.Equal(s.RootPid, Stat(s.RootPid).Session);
        },
        ["threads"] = s => Assert.Equal(5, Directory.GetDirectories($"/proc/{s.RootPid}/task").Length),
        ["tree"] = s =>
        {
            Assert.Equal(2, Children(s.RootPid).Count);
            Assert.Equal(3, Subject.Descendants(s.RootPid).Count);
        },
        ["zombie-child"] = s => Assert.Contains(Children(s.RootPid), c => Stat(c).State == 'Z'),
        ["stopped-child"] = s => Assert.Contains(Children(s.RootPid), c => Stat(c).State == 'T'),
        ["not-session-leader"] = s =>
        {
            var st = Stat(s.RootPid);
            Assert.NotEqual(s.RootPid, st.Session);
            Assert.Equal(s.RootPid, st.PGrp);
            Assert.Equal(s.LauncherPid, st.Session);
        },
        ["ptraced-child"] = s => Assert.Equal(
            s.RootPid.ToString(CultureInfo.InvariantCulture),
            StatusField(Children(s.RootPid).Single(), "TracerPid")),
        ["sigtrap-pending"] = s => Assert.NotEqual(
            0UL, ulong.Parse(StatusField(s.RootPid, "SigPnd"), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x10),
        ["vfork-parent"] = s =>
        {
            Assert.Equal('D', Stat(s.RootPid).State);
            Assert.Single(Children(s.RootPid));
        },
        ["zombie-leader-threads"] = s =>
        {
            Assert.Equal('Z', Stat(s.RootPid).State);
            Assert.Equal("2", StatusField(s.RootPid, "Threads"));
        },
        ["seccomp"] = s => Assert.Equal("2", StatusField(s.RootPid, "Seccomp")),
        ["flock"] = s => AssertHasLock(s.RootPid, "FLOCK"),
        ["posix-lock"] = s => AssertHasLock(s.RootPid, "POSIX"),
        ["ofd-lock"] = s => AssertHasLock(s.RootPid, "OFDLCK"),
        ["lease"] = s => AssertHasLock(s.RootPid, "LEASE"),
        ["file-rw"] = s => Assert.DoesNotContain(
            Directory.GetFiles($"/proc/{s.RootPid}/fdinfo"),
            f => File.ReadAllText(f).Contains("lock:", StringComparison.Ordinal)),
        ["file-deleted-small"] = s => Assert.Contains(
            FdLinks(s.RootPid).Values, l => l.EndsWith(" (deleted)", StringComparison.Ordinal)),
        ["file-linked-renamed"] = s => Assert.Contains(
            FdLinks(s.RootPid).Values, l => l.EndsWith("/orig (deleted)", StringComparison.Ordinal)),
        ["pipe-external"] = s =>
        {
            var launcher = FdLinks(s.LauncherPid).Values.ToHashSet(StringComparer.Ordinal);
            Assert.Contains(FdLinks(s.RootPid).Values, l => l.StartsWith("pipe:", StringComparison.Ordinal) && launcher.Contains(l));
        },
        ["io-uring-map-only"] = s =>
        {
            Assert.Contains("io_uring", File.ReadAllText($"/proc/{s.RootPid}/maps"), StringComparison.Ordinal);
            Assert.DoesNotContain(FdLinks(s.RootPid).Values, l => l.Contains("io_uring", StringComparison.Ordinal));
        },
        ["mmap-deleted-small"] = s => Assert.Contains("mapped (deleted)", File.ReadAllText($"/proc/{s.RootPid}/maps"), StringComparison.Ordinal),
        ["tcp-listen"] = s => Assert.NotNull(TcpLine(s.RootPid, "tcp", "0A")),
        ["tcp-established-external"] = s => Assert.NotNull(TcpLine(s.RootPid, "tcp", "01")),
        ["tcp-close-wait"] = s => Assert.NotNull(TcpLine(s.RootPid, "tcp", "08")),
        ["udp-corked"] = s =>
        {
            var line = TcpLine(s.RootPid, "udp", null);
            Assert.NotNull(line);
            Assert.NotEqual("00000000", line[4].Split(':')[0]);
        },
        ["unix-stream-external"] = s => Assert.Contains(FdLinks(s.RootPid).Values, l => l.StartsWith("socket:", StringComparison.Ordinal)),
        ["shell-job"] = s =>
        {
            var st = Stat(s.RootPid);
            Assert.NotEqual(0, st.TtyNr);
            Assert.NotEqual(s.RootPid, st.Session);
            Assert.Equal(s.RootPid, st.PGrp);
        },
        ["setsid-ctty"] = s =>
        {
            var st = Stat(s.RootPid);
            Assert.NotEqual(0, st.TtyNr);
            Assert.Equal(s.RootPid, st.Session);
        },
        ["ns-net"] = s => Assert.NotEqual(NsLink("self", "net"), NsLink(s.RootPid, "net")),
        ["ns-pid"] = s => Assert.EndsWith("\t1", StatusField(s.RootPid, "NSpid"), StringComparison.Ordinal),
        ["ns-pid-not-init"] = s => Assert.EndsWith("\t2", StatusField(s.RootPid, "NSpid"), StringComparison.Ordinal),
        ["ns-user"] = s => Assert.NotEmpty(File.ReadAllText($"/proc/{s.RootPid}/uid_map").Trim()),
        ["ns-user-unmapped"] = s => Assert.Empty(File.ReadAllText($"/proc/{s.RootPid}/uid_map").Trim()),
        ["ns-time"] = s => Assert.NotEqual(NsLink("self", "time"), NsLink(s.RootPid, "time")),
        ["nested-pid-child"] = s =>
        {
            var child = Children(s.RootPid).Single();
            Assert.EndsWith("\t1", StatusField(child, "NSpid"), StringComparison.Ordinal);
            Assert.Equal(NsLink("self", "pid"), NsLink(s.RootPid, "pid"));
        },
    };

    // ---- /proc helpers ---------------------------------------------------------------------------

    private static Subject.ProcStat Stat(int pid) =>
        Subject.ReadStat(pid) ?? throw new InvalidOperationException($"pid {pid} is gone");

    private static List<int> Children(int pid) =>
        [.. File.ReadAllText($"/proc/{pid}/task/{pid}/children")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(c => int.Parse(c, CultureInfo.InvariantCulture))];

    private static string StatusField(int pid, string name)
    {
        foreach (var line in File.ReadAllLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                return line[(name.Length + 1)..].Trim();
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {name}");
    }

    private static string NsLink(object pid, string ns) =>
        new FileInfo($"/proc/{pid}/ns/{ns}").LinkTarget ?? "";

    private static Dictionary<int, string> FdLinks(int pid)
    {
        var links = new Dictionary<int, string>();
        try
        {
            foreach (var path in Directory.GetFileSystemEntries($"/proc/{pid}/fd"))
            {
                if (int.TryParse(Path.GetFileName(path), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) &&
                    new FileInfo(path).LinkTarget is { } target)
                {
                    links[fd] = target;
                }
            }
        }
        catch (IOException)
        {
            // gone, or a zombie
        }
        catch (UnauthorizedAccessException)
        {
        }

        return links;
    }

    private static void AssertHasLock(int pid, string kind)
    {
        var infos = Directory.GetFiles($"/proc/{pid}/fdinfo").Select(File.ReadAllText);
        Assert.Contains(infos, text => text.Split('\n').Any(l =>
            l.StartsWith("lock:", StringComparison.Ordinal) && l.Contains(kind, StringComparison.Ordinal)));
    }

    /// <summary>The /proc/PID/net/FILE line (split on blanks) of one of PID's sockets, in state ST (hex) if given.</summary>
    private static string[]? TcpLine(int pid, string file, string? st)
    {
        var inodes = FdLinks(pid).Values
            .Where(l => l.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(l => l["socket:[".Length..^1])
            .ToHashSet(StringComparer.Ordinal);
        foreach (var line in File.ReadLines($"/proc/{pid}/net/{file}").Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 9 && inodes.Contains(f[9]) && (st is null || f[3] == st))
            {
                return f;
            }
        }

        return null;
    }
}
