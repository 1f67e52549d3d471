using System.Text.Json;
using Checkpointable.Model;
using Checkpointable.Probes.SockDiag;
using Checkpointable.Tests.Cli;
using Checkpointable.Tests.SockDiag;
using Xunit;
using Xunit.Abstractions;

namespace Checkpointable.Tests.Scale;

/// <summary>Runs alone: large trees would otherwise slow every other live test, and they see each other's processes.</summary>
[CollectionDefinition("scale", DisableParallelization = true)]
public sealed class ScaleCollection;

/// <summary>
/// bench/scale.sh at CI sizes (100,000 fds, 2,000 processes, 20,000 sockets): every scan finishes, with the right
/// verdict. Times are bench/RESULTS.md's business, not asserted here; CliRunner bounds every run. One process holds
/// at most the hard RLIMIT_NOFILE without CAP_SYS_RESOURCE, so 100,000 fds are spread over 10 processes.
/// </summary>
[Collection("scale")]
public sealed class ScaleTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData("fds", "15000", null, 1)]       // one process, below this machine's hard RLIMIT_NOFILE (20,000)
    [InlineData("fds", "100000", "10", 10)]
    [InlineData("tree", "2000", null, 2000)]
    [InlineData("sockets", "20000", "20", 20)]
    public void LargeTreeIsJudgedCheckpointable(string kind, string size, string? processes, int members)
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root (RLIMIT_NOFILE above the hard limit)");

        using var tree = processes is null ? new LargeTree(kind, size) : new LargeTree(kind, size, processes);
        var r = CliRunner.Run("-t", tree.RootPid.ToString(), "--json");
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        using var doc = JsonDocument.Parse(r.Stdout);
        var procs = doc.RootElement.GetProperty("processes");
        Assert.Equal(members, procs.GetArrayLength());
        int fds = procs.EnumerateArray().Sum(p => p.GetProperty("fds").GetInt32());
        output.WriteLine($"{kind} {size}: {members} processes, {fds} fds");
        Assert.True(fds >= (kind == "tree" ? 0 : int.Parse(size)), $"only {fds} fds seen");
        Assert.Equal("checkpointable", doc.RootElement.GetProperty("verdict").GetString());
    }

    [SkippableFact]
    public void HostTableWithALargeTreeListsItsRoot()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root");

        using var tree = new LargeTree("tree", "2000");
        var r = CliRunner.Run("--json");
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        using var doc = JsonDocument.Parse(r.Stdout);
        var rows = doc.RootElement.GetProperty("processes").EnumerateArray()
            .ToDictionary(row => row.GetProperty("pid").GetInt32(), row => row.GetProperty("verdict").GetString());
        Assert.Equal("yes", rows[tree.RootPid]);
        Assert.True(rows.Count >= 2000, $"{rows.Count} rows");
    }

    [Theory]
    [InlineData(10)]   // exact lookups, one per socket
    [InlineData(200)]  // past SockDiagClient.ExactLookupLimit: one dump instead
    public void UnixSocketsOfATreeAreFoundByLookupOrByDump(int pairs)
    {
        var held = Enumerable.Range(0, pairs).Select(_ => SockDiagTestSupport.UnixSocketPair()).ToList();
        try
        {
            var inodes = held.SelectMany(p => new[] { SockDiagTestSupport.SocketInode(p.First), SockDiagTestSupport.SocketInode(p.Second) }).ToList();
            Assert.Equal(pairs * 2 > SockDiagClient.ExactLookupLimit, inodes.Count > SockDiagClient.ExactLookupLimit);
            var table = new SocketTable { NetNamespace = SockDiagTestSupport.OwnNetworkNamespace() };
            SockDiagClient.CollectUnix(table, null, inodes);
            Assert.Empty(table.Failed);
            foreach (var p in held)
            {
                ulong a = SockDiagTestSupport.SocketInode(p.First), b = SockDiagTestSupport.SocketInode(p.Second);
                Assert.Equal(b, table.Unix[a].Peer);
                Assert.Equal(a, table.Unix[b].Peer);
            }
        }
        finally
        {
            held.ForEach(p => p.Dispose());
        }
    }
}
