using Checkpointable.Model;
using Checkpointable.Probes;
using Xunit;

namespace Checkpointable.Tests.ProcFs;

/// <summary>security.capability (vfs_cap_data) bytes as setcap writes them, and what an exec of such a file gives.</summary>
public class FileCapabilityParserTests
{
    // `setcap cap_checkpoint_restore+eip FILE`, read back with os.getxattr on this host (revision 2):
    // 0x0100000200000000000000000001000000010000: magic 0x02000001, low words 0, high words bit 8 (40 - 32).
    private static readonly byte[] s_checkpointRestoreEip = Convert.FromHexString("0100000200000000000000000001000000010000");

    // `setcap cap_sys_ptrace,cap_sys_resource+p FILE` (revision 2, no effective flag), read back with os.getxattr.
    private static readonly byte[] s_permittedOnly = Convert.FromHexString("0000000200000801000000000000000000000000");

    // The same set as revision 3 (vfs_ns_cap_data, written in a user namespace whose root is uid 100000).
    private static readonly byte[] s_revision3 = Convert.FromHexString(
        "01000003" + "00000801" + "00000000" + "00000000" + "00000000" + "A0860100"); // magic, perm/inh low, perm/inh high, rootid

    [Fact]
    public void Revision2()
    {
        var f = FileCapabilityParser.Parse(s_checkpointRestoreEip);
        Assert.NotNull(f);
        Assert.True(f.SetsEffective);
        Assert.Equal([Capability.CheckpointRestore], f.Permitted.Present);
        Assert.Equal([Capability.CheckpointRestore], f.Inheritable.Present);
        Assert.Null(f.RootId);
    }

    [Fact]
    public void PermittedWithoutTheEffectiveFlag()
    {
        var f = FileCapabilityParser.Parse(s_permittedOnly);
        Assert.NotNull(f);
        Assert.False(f.SetsEffective);
        Assert.Equal([Capability.SysPtrace, Capability.SysResource], f.Permitted.Present);
        Assert.Equal(CapabilitySet.None, ExecCapabilities.Effective(CredentialIds.Of(1000), CapabilitySet.None, CapabilitySet.All, CapabilitySet.None, f));
    }

    [Fact]
    public void Revision3HasARootId()
    {
        Assert.Equal(24, s_revision3.Length);
        var f = FileCapabilityParser.Parse(s_revision3);
        Assert.NotNull(f);
        Assert.Equal([Capability.SysPtrace, Capability.SysResource], f.Permitted.Present);
        Assert.Equal(100000u, f.RootId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("01000002")]
    [InlineData("0100000200000000000000000001000000010000FF")] // revision 2 with a trailing byte
    [InlineData("0100000400000000000000000001000000010000")] // unknown revision
    [InlineData("01000003000000000000000000010000000100")] // revision 3, short
    public void RejectsWhatTheKernelRejects(string hex) => Assert.Null(FileCapabilityParser.Parse(Convert.FromHexString(hex)));

    [Fact]
    public void AnExecGivesANonRootUserTheFilesPermittedSetWithinTheBoundingSet()
    {
        var f = FileCapabilityParser.Parse(s_checkpointRestoreEip);
        var user = CredentialIds.Of(1000);
        Assert.Equal([Capability.CheckpointRestore], ExecCapabilities.Effective(user, CapabilitySet.None, CapabilitySet.All, CapabilitySet.None, f).Present);
        Assert.Equal(CapabilitySet.None, ExecCapabilities.Effective(user, CapabilitySet.None, CapabilitySet.All.Without(Capability.CheckpointRestore), CapabilitySet.None, f));
        var ambient = CapabilitySet.None.With(Capability.SysPtrace);
        Assert.Equal(ambient, ExecCapabilities.Effective(user, ambient, CapabilitySet.All, ambient, null));
    }

    [Fact]
    public void RootGetsItsBoundingSetWhateverTheFileSays()
    {
        var bounding = CapabilitySet.All.Without(Capability.SysResource);
        var f = FileCapabilityParser.Parse(s_checkpointRestoreEip);
        Assert.Equal(bounding, ExecCapabilities.Effective(CredentialIds.Of(0), CapabilitySet.None, bounding, CapabilitySet.None, f));
        Assert.Equal(bounding, ExecCapabilities.Effective(CredentialIds.Of(0), CapabilitySet.None, bounding, CapabilitySet.None, null));
    }
}
