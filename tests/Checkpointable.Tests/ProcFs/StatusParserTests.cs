using Checkpointable.Model;
using Checkpointable.Probes.ProcFs;
using Xunit;

namespace Checkpointable.Tests.ProcFs;

public class StatusParserTests
{
    [Fact]
    public void ParsesRealStatus()
    {
        Assert.True(StatusParser.TryParse(Fixture.Read("status-hostile-comm.txt"), out var st));
        Assert.Equal(22490, st.Pid);
        Assert.Equal(22490, st.Tgid);
        Assert.Equal(0, st.TracerPid);
        Assert.Equal(1, st.Threads);
        Assert.Equal('S', st.State);
        Assert.Equal([22490], st.NsPid);
        Assert.Equal([1047], st.NsSid);
    }

    [Fact]
    public void ANameThatLooksLikeFieldsDoesNotLeak()
    {
        // The kernel escapes newlines in Name, but a name can still contain "Tgid:" text.
        string text = "Name:\tTgid: 666\nState:\tS (sleeping)\nTgid:\t42\nPid:\t43\nTracerPid:\t7\nNSpid:\t43\t1\nNSsid:\t0\nSigPnd:\t0000000000000010\nShdPnd:\t0000000000000000\n";
        Assert.True(StatusParser.TryParse(text, out var st));
        Assert.Equal(42, st.Tgid);
        Assert.Equal(43, st.Pid);
        Assert.Equal(7, st.TracerPid);
        Assert.Equal(1, st.InnermostPid);
        Assert.Equal(0, st.InnermostSid);
        Assert.Equal(0x10UL, st.SigPnd);
    }

    [Fact]
    public void ParsesEveryUidAndGidAndTheCapabilities()
    {
        Assert.True(StatusParser.TryParse(Fixture.Read("status-hostile-comm.txt"), out var root));
        Assert.Equal(CredentialIds.Of(0), root.Uids);
        Assert.Equal(CredentialIds.Of(0), root.Gids);
        Assert.Equal(new CapabilitySet(0x000001fffeffffff), root.CapEff);
        Assert.False(root.CapEff!.Value.Has(Capability.SysResource));
        Assert.True(root.CapEff!.Value.Has(Capability.CheckpointRestore));
        Assert.Equal(CapabilitySet.None, root.CapAmb);

        Assert.True(StatusParser.TryParse(Fixture.Read("status-setresuid.txt"), out var dropped));
        Assert.Equal(new CredentialIds(65534, 65534, 65534, 65534), dropped.Uids);
        Assert.Equal(new CredentialIds(0, 0, 0, 0), dropped.Gids);
        Assert.Equal(65534u, dropped.Uid);

        Assert.True(StatusParser.TryParse(Fixture.Read("status-mixed-ids.txt"), out var mixed));
        Assert.Equal(new CredentialIds(1000, 0, 1000, 0), mixed.Uids);
        Assert.Equal(new CredentialIds(100, 100, 0, 100), mixed.Gids);
        Assert.False(mixed.Uids!.Value.AreAll(1000));
    }

    [Theory]
    [InlineData("Uid:\t0\t0\t0\n")] // three fields
    [InlineData("Uid:\t0\t0\t0\t0\t0\n")] // five
    [InlineData("Uid:\t-1\t0\t0\t0\n")] // a sign
    [InlineData("Uid:\t0x10\t0\t0\t0\n")]
    [InlineData("Uid:\t4294967296\t0\t0\t0\n")] // above 32 bits
    [InlineData("Uid:\n")]
    [InlineData("Uid:\t0 0 0 0 (deleted)\n")]
    public void AMalformedUidLineIsUnknownNotZero(string line)
    {
        string text = "Tgid:\t42\nPid:\t42\n" + line + "Gid:\t1\t2\t3\t4\nCapEff:\tnot-hex\n";
        Assert.True(StatusParser.TryParse(text, out var st));
        Assert.Null(st.Uids);
        Assert.Equal(new CredentialIds(1, 2, 3, 4), st.Gids);
        Assert.Null(st.CapEff);
    }

    [Fact]
    public void TheLargestIdAndSpacesInsteadOfTabsParse()
    {
        Assert.True(StatusParser.TryParse("Tgid:\t42\nPid:\t42\nUid:  4294967295 0  0\t0\nCapEff:\tffffffffffffffff\n", out var st));
        Assert.Equal(new CredentialIds(uint.MaxValue, 0, 0, 0), st.Uids);
        Assert.Equal(ulong.MaxValue, st.CapEff!.Value.Mask);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Name:\tx\n")]
    [InlineData("Tgid:\tabc\nPid:\t1\n")]
    public void RejectsStatusWithoutIds(string text) => Assert.False(StatusParser.TryParse(text, out _));
}
