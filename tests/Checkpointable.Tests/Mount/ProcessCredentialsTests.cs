using Checkpointable.Mount;
using Xunit;

namespace Checkpointable.Tests.Mount;

/// <summary>The access check (an approximation of ptrace_may_access READ_FSCREDS) and the status lines it reads.</summary>
public sealed class ProcessCredentialsTests
{
    private static readonly Caller Root = new(0, 0, 1);
    private static readonly Caller Nobody = new(65534, 65534, 2);
    private static readonly Caller Other = new(1000, 1000, 3);

    private static ProcessCredentials NobodySleeper(uint owner = 65534) =>
        ProcessCredentials.Parse(Fixture.Read("status-nobody.txt"), owner) ?? throw new InvalidOperationException("fixture did not parse");

    [Fact]
    public void ParsesARealStatus()
    {
        var c = NobodySleeper();
        Assert.Equal(18290, c.Pid);
        Assert.True(c.IsProcess);
        Assert.Equal([65534u, 65534, 65534, 65534], c.Uids);
        Assert.Equal([65534u, 65534, 65534, 65534], c.Gids);
    }

    [Fact]
    public void TheOwnerAndRootMayReadOthersMayNot()
    {
        var c = NobodySleeper();
        Assert.True(c.MayBeReadBy(Nobody));
        Assert.True(c.MayBeReadBy(Root));
        Assert.False(c.MayBeReadBy(Other));
        Assert.False(c.MayBeReadBy(new Caller(65534, 100, 4))); // right uid, other gid
    }

    [Fact]
    public void NotDumpableMeansOnlyRoot()
    {
        var c = NobodySleeper(owner: 0); // /proc/PID owned by root: the kernel's sign of a non-dumpable process
        Assert.False(c.MayBeReadBy(Nobody));
        Assert.True(c.MayBeReadBy(Root));
    }

    [Theory]
    [InlineData("Uid:\t65534\t0\t65534\t65534")] // effective uid differs (a setuid program)
    [InlineData("Uid:\t65534\t65534\t0\t65534")] // saved uid differs
    [InlineData("Uid:\t0\t65534\t65534\t65534")] // real uid differs
    public void EveryUidMustBeTheCallers(string uidLine)
    {
        string text = Fixture.Read("status-nobody.txt").Replace("Uid:\t65534\t65534\t65534\t65534", uidLine, StringComparison.Ordinal);
        var c = ProcessCredentials.Parse(text, 65534)!;
        Assert.False(c.MayBeReadBy(Nobody));
        Assert.True(c.MayBeReadBy(Root));
    }

    [Fact]
    public void AThreadIsNotAProcess()
    {
        string text = Fixture.Read("status-nobody.txt").Replace("Pid:\t18290", "Pid:\t18291", StringComparison.Ordinal);
        Assert.False(ProcessCredentials.Parse(text, 65534)!.IsProcess);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Name:\tx\n")]
    [InlineData("Tgid:\t1\nPid:\t1\nUid:\t0\t0\t0\t0\n")] // no Gid line
    [InlineData("Tgid:\t1\nPid:\t1\nUid:\t0\t0\t0\nGid:\t0\t0\t0\t0\n")] // three uids
    [InlineData("Tgid:\t1\nPid:\t1\nUid:\t0\tx\t0\t0\nGid:\t0\t0\t0\t0\n")]
    [InlineData("Tgid:\t1\nPid:\t1\nUid:\t-1\t0\t0\t0\nGid:\t0\t0\t0\t0\n")]
    [InlineData("Tgid:\tx\nPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n")]
    [InlineData("Name:\tUid: 65534\nTgid:\t1\nPid:\t1\nGid:\t0\t0\t0\t0\n")] // a Name that mimics a field
    public void MalformedStatusIsNoProcess(string text) => Assert.Null(ProcessCredentials.Parse(text, 0));

    [Fact]
    public void TheRealProcOfThisProcessParses()
    {
        var c = ProcessDirectory.Credentials(Environment.ProcessId);
        Assert.NotNull(c);
        Assert.Equal(Environment.ProcessId, c.Pid);
        Assert.Null(ProcessDirectory.Credentials(int.MaxValue));
    }
}
