using Checkpointable.Cli;
using Checkpointable.Tests.Live;
using Xunit;

namespace Checkpointable.Tests.Mount;

/// <summary>criu also has --daemon: it is mount's own only on a mount command line, criu's (accepted, ignored) elsewhere.</summary>
public sealed class MountArgumentTests
{
    [Fact]
    public void DaemonAndAllowOtherAreOursAfterMount()
    {
        var (ours, criu) = ArgumentSplitter.Split(["mount", "/mnt", "--daemon", "--allow-other", "--file-locks"]);
        Assert.Equal(["mount", "/mnt", "--daemon", "--allow-other"], ours);
        Assert.Equal(["--file-locks"], criu);
    }

    [Fact]
    public void DaemonIsCriusElsewhere()
    {
        var (ours, criu) = ArgumentSplitter.Split(["-t", "42", "--daemon"]);
        Assert.Equal(["-t", "42"], ours);
        Assert.Equal(["--daemon"], criu);

        using var s = Subject.Start("sleep");
        var r = Cli.CliRunner.Run("-t", s.RootPid.ToString(), "--daemon");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Empty, r.Stderr);
    }

    [Fact]
    public void AllowOtherElsewhereIsAnUnknownOptionWithOneLine()
    {
        var (ours, _) = ArgumentSplitter.Split(["-t", "42", "--allow-other"]);
        Assert.Equal("--allow-other", ArgumentSplitter.Unknown(ours));
        Assert.Null(ArgumentSplitter.Unknown(ArgumentSplitter.Split(["mount", "/mnt", "--allow-other"]).Ours));

        var r = Cli.CliRunner.Run("-t", "1", "--allow-other");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("checkpointable: unrecognized option '--allow-other' (neither ours nor a criu dump option; see --help)\n", r.Stderr);
    }
}
