using Checkpointable.Model;
using Checkpointable.Options;
using Xunit;

namespace Checkpointable.Tests.Options;

/// <summary>--criu-caps: keywords, capability names in every spelling, +/- changes, and the errors.</summary>
public class CriuCapsTests
{
    private static readonly HostFacts s_host = new()
    {
        CheckerLineage = new HashSet<int>(),
        CheckerPid = 1,
        CheckerNamespaces = new NamespaceSet(),
        IsRoot = false,
        Tools = new HashSet<string>(),
        CheckerPrivileges = new CriuPrivileges(CredentialIds.Of(1000), CredentialIds.Of(100), CapabilitySet.None.With(Capability.Kill), PrivilegeSource.Checker),
        CriuFilePrivileges = new CriuPrivileges(CredentialIds.Of(1000), CredentialIds.Of(100), CapabilitySet.None.With(Capability.CheckpointRestore), PrivilegeSource.CriuFile, "/usr/sbin/criu"),
    };

    [Fact]
    public void SelfIsTheCheckersOwn()
    {
        var p = CriuCaps.Parse("self").Resolve(s_host);
        Assert.Same(s_host.CheckerPrivileges, p);
        Assert.True(CriuCaps.Self.IsSelf);
    }

    [Fact]
    public void FileIsTheCriuBinarysSet() => Assert.Same(s_host.CriuFilePrivileges, CriuCaps.Parse("FILE").Resolve(s_host));

    [Fact]
    public void AllKeepsTheCheckersIds()
    {
        var p = CriuCaps.Parse("all").Resolve(s_host);
        Assert.Equal(CapabilitySet.All, p.Effective);
        Assert.Equal(1000u, p.Uids.Real);
        Assert.Equal(100u, p.Gids.Real);
        Assert.Equal(PrivilegeSource.Given, p.Source);
    }

    [Fact]
    public void RootIsUidZeroWithEverything()
    {
        var p = CriuCaps.Parse("root").Resolve(s_host);
        Assert.True(p.IsRoot);
        Assert.Equal(CapabilitySet.All, p.Effective);
        Assert.Equal(0u, p.Gids.Real);
    }

    [Theory]
    [InlineData("all,-sys_resource")]
    [InlineData("ALL,-CAP_SYS_RESOURCE")]
    [InlineData(" all , -Cap_Sys_Resource ")]
    public void AllButOne(string value)
    {
        var p = CriuCaps.Parse(value).Resolve(s_host);
        Assert.False(p.Has(Capability.SysResource));
        Assert.True(p.Has(Capability.SysAdmin));
        Assert.Equal("without CAP_SYS_RESOURCE", p.CapabilityText());
    }

    [Theory]
    [InlineData("sys_admin,checkpoint_restore")]
    [InlineData("CAP_SYS_ADMIN,+cap_checkpoint_restore")]
    public void AListIsExactlyItsNames(string value)
    {
        var p = CriuCaps.Parse(value).Resolve(s_host);
        Assert.Equal([Capability.SysAdmin, Capability.CheckpointRestore], p.Effective.Present);
        Assert.Equal(1000u, p.Uids.Effective);
    }

    [Fact]
    public void SelfPlusOne()
    {
        var p = CriuCaps.Parse("self,+sys_resource").Resolve(s_host);
        Assert.Equal([Capability.Kill, Capability.SysResource], p.Effective.Present);
    }

    [Theory]
    [InlineData("", "empty item")]
    [InlineData("all,,sys_admin", "empty item")]
    [InlineData("sys_admin,", "empty item")]
    [InlineData("bogus", "'bogus' is not a capability")]
    [InlineData("all,-cap_", "'cap_' is not a capability")]
    [InlineData("sys_admin,all", "'all' may only come first")]
    [InlineData("-", "'' is not a capability")]
    public void BadValuesAreOneLineErrors(string value, string message)
    {
        var e = Assert.Throws<CriuCapsException>(() => CriuCaps.Parse(value));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void EveryCapabilityRoundTripsItsName()
    {
        foreach (var cap in Enum.GetValues<Capability>())
        {
            string name = CapabilitySet.Name(cap);
            Assert.StartsWith("CAP_", name, StringComparison.Ordinal);
            Assert.Equal(cap, CapabilitySet.ByName(name));
            Assert.Equal(cap, CapabilitySet.ByName(name[4..].ToLowerInvariant()));
        }

        Assert.Equal("CAP_SYS_RESOURCE", CapabilitySet.Name(Capability.SysResource));
        Assert.Equal("CAP_DAC_READ_SEARCH", CapabilitySet.Name(Capability.DacReadSearch));
        Assert.Equal("CAP_CHECKPOINT_RESTORE", CapabilitySet.Name(Capability.CheckpointRestore));
        Assert.Equal(40, (int)Capability.CheckpointRestore);
        Assert.Equal(24, (int)Capability.SysResource);
    }

    [Fact]
    public void TheOptionTravelsWithTheOptionsThroughWith()
    {
        var options = CriuOptionParser.Effective(["--no-default-config"]);
        options.CriuCaps = CriuCaps.Parse("all,-sys_resource");
        Assert.Equal("all,-sys_resource", options.With(["--tcp-established"]).CriuCaps.Text);
    }
}
