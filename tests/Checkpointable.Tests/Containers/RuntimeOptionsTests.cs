using Checkpointable.Containers;
using Checkpointable.Probes.ProcFs;
using Xunit;

namespace Checkpointable.Tests.Containers;

/// <summary>The criu options runc adds for a container: external bind mounts and masked paths, an external network namespace.</summary>
public class RuntimeOptionsTests
{
    // A Docker container's mountinfo (shape of runc's mounts: overlay root, proc, binds of /etc files, masked /proc/kcore).
    private const string Mounts =
        "600 500 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n" +
        "601 600 0:52 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n" +
        "602 600 0:53 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n" +
        "610 600 254:1 /var/lib/docker/containers/abc/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw\n" +
        "611 600 254:1 /var/lib/docker/containers/abc/hosts /etc/hosts rw,relatime - ext4 /dev/vda1 rw\n" +
        "612 600 254:1 /srv/data /data rw,relatime - ext4 /dev/vda1 rw\n" +
        "620 601 0:53 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n";

    [Fact]
    public void BindMountsAndMaskedPathsAreExternalAndAForeignNetNamespaceToo()
    {
        var tokens = RuntimeOptions.For(MountInfoParser.Parse(Mounts), (Net: 4026532500, Mnt: 4026532400), (Net: 4026531840, Mnt: 4026531841));
        Assert.Equal(
            [
                "--manage-cgroups",
                "--external", "net[4026532500]:extRootNetNS",
                "--external", "mnt[/etc/resolv.conf]:/etc/resolv.conf",
                "--external", "mnt[/etc/hosts]:/etc/hosts",
                "--external", "mnt[/data]:/data",
                "--external", "mnt[/proc/kcore]:/proc/kcore",
            ],
            tokens);

        // criu reads them back as external mounts and namespaces.
        var options = Checkpointable.Predict.Predictor.Options([.. tokens, "--no-default-config"]);
        Assert.True(options.IsExternalMount("/etc/hosts"));
        Assert.False(options.IsExternalMount("/etc"));
        Assert.True(options.IsExternalNamespace("net", 4026532500));
    }

    [Fact]
    public void AContainerSharingTheHostsNamespacesAddsNothingButCgroups()
    {
        var tokens = RuntimeOptions.For(MountInfoParser.Parse(Mounts), (Net: 4026531840, Mnt: 4026531841), (Net: 4026531840, Mnt: 4026531841));
        Assert.Equal(["--manage-cgroups"], tokens);
    }
}
