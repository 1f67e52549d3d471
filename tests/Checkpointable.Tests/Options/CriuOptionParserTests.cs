using Checkpointable.Options;
using Xunit;

namespace Checkpointable.Tests.Options;

public class CriuOptionParserTests
{
    private static CriuOptions Parse(params string[] tokens)
    {
        var o = new CriuOptions();
        CriuOptionParser.Apply(o, tokens);
        return o;
    }

    [Fact]
    public void LongShortBundledAndAbbreviated()
    {
        var o = Parse("-jl", "--tcp-est", "--ghost-limit=3M", "-v4", "-D", "/tmp/img", "--leave-running", "-x123,456");
        Assert.True(o.ShellJob);
        Assert.True(o.FileLocks);
        Assert.True(o.TcpEstablished);
        Assert.Equal(3L << 20, o.GhostLimit);
        Assert.True(o.ExtUnixSk);
        Assert.True(o.IsExternalUnix(123));
        Assert.True(o.IsExternalUnix(456));
        Assert.Contains("--leave-running", o.Ignored);
    }

    /// <summary>mnt[] with its sharing flags (criu/mount.c:77-91 ext_mount_parse_auto; external.c:15).</summary>
    [Theory]
    [InlineData("mnt[]", false, false)]
    [InlineData("mnt[]:", false, false)]
    [InlineData("mnt[]:m", true, false)]
    [InlineData("mnt[]:s", false, true)]
    public void AutodetectedExternalMounts(string value, bool masters, bool sharing)
    {
        var o = Parse("--external", value);
        Assert.True(o.AutodetectExternalMounts);
        Assert.Equal(masters, o.EnableExternalMasters);
        Assert.Equal(sharing, o.EnableExternalSharing);
        Assert.Empty(o.External);
        Assert.Throws<CriuOptionException>(() => Parse("--external", "mnt[]:x"));
        var flags = Parse("--enable-external-masters", "--enable-external-sharing");
        Assert.True(flags.EnableExternalMasters && flags.EnableExternalSharing && !flags.AutodetectExternalMounts);
    }

    [Fact]
    public void ExternalMountsInBothSpellings()
    {
        var o = Parse("--ext-mount-map", "/etc/hosts:hosts", "--external", "mnt[/data]:data", "--external", "mnt[/old]");
        Assert.True(o.IsExternalMount("/etc/hosts"));
        Assert.True(o.IsExternalMount("/data"));
        Assert.True(o.IsExternalMount("/old"));
        Assert.False(o.IsExternalMount("/etc"));
        Assert.False(o.IsExternalMount("/dat"));
        Assert.True(Parse("--ext-mount-map", "auto").AutodetectExternalMounts);
        Assert.Equal("invalid argument for --ext-mount-map: nocolon", Assert.Throws<CriuOptionException>(() => Parse("--ext-mount-map", "nocolon")).Message);
    }

    [Fact]
    public void LaterWinsAndNoFormsClear()
    {
        var o = Parse("--shell-job", "--no-shell-job", "--network-lock", "nftables", "--network-lock", "skip");
        Assert.False(o.ShellJob);
        Assert.Equal(NetworkLockMethod.Skip, o.NetworkLock);
    }

    [Fact]
    public void ExternalKeys()
    {
        var o = Parse("--external", "unix[99]", "--external", "pid[4026531836]:init", "--external", "file[1e:1b]", "--external", "tty[8801:1a]");
        Assert.True(o.IsExternalUnix(99));
        Assert.True(o.IsExternalNamespace("pid", 4026531836));
        Assert.True(o.IsExternalFile(0x1e, 0x1b));
        Assert.True(o.IsExternalTty(new Model.DeviceId(136, 1), new Model.DeviceId(0, 0x1a)));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--ghost-limit")]
    [InlineData("--network-lock", "maybe")]
    [InlineData("--shell-job=yes")]
    [InlineData("-Z")]
    [InlineData("--ghost-limit", "lots")]
    [InlineData("--t")]
    public void RejectsWhatCriuRejects(params string[] tokens) =>
        Assert.Throws<CriuOptionException>(() => Parse(tokens));

    [Fact]
    public void ConfigFilesInCriuOrder()
    {
        string dir = Directory.CreateTempSubdirectory("criu-conf").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, ".criu"));
            File.WriteAllText(Path.Combine(dir, ".criu", "default.conf"), "# user config\ntcp-established\nghost-limit 2M\n");
            string envFile = Path.Combine(dir, "env.conf");
            File.WriteAllText(envFile, "  shell-job  \nexternal \"unix[7]\"\nfile-locks # a comment as the value is ignored\n");
            var o = CriuOptionParser.Effective(["--ghost-limit", "5M"], dir, name => name == "CRIU_CONFIG_FILE" ? envFile : null);
            Assert.True(o.TcpEstablished);
            Assert.True(o.ShellJob);
            Assert.True(o.IsExternalUnix(7));
            Assert.Equal(5L << 20, o.GhostLimit);

            var none = CriuOptionParser.Effective(["--no-default-config"], dir, _ => null);
            Assert.False(none.TcpEstablished);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void WithAddsOptionsWithValues()
    {
        var o = Parse("--file-locks").With(["--ghost-limit 4M", "--tcp-close"]);
        Assert.True(o.FileLocks);
        Assert.True(o.TcpClose);
        Assert.Equal(4L << 20, o.GhostLimit);
    }
}
