using Checkpointable.Containers;
using Checkpointable.Probes.ProcFs;
using Xunit;

namespace Checkpointable.Tests.Containers;

/// <summary>
/// The request runc 1.1.5 makes for a container (libcontainer/container_linux.go Checkpoint), from real podman
/// config.json files: external bind mounts and masked paths, --empty-ns net always, external pid and net
/// namespaces only when the config gives them by path, orphan_pts_master, podman's --rm refusal.
/// </summary>
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

    private static readonly (ulong Net, ulong Mnt, ulong Pid) s_container = (4026532500, 4026532400, 4026532600);
    private static readonly (ulong Net, ulong Mnt) s_host = (4026531840, 4026531841);

    [Fact]
    public void OwnNamespacesGetEmptyNetAndBindMountsAndMaskedPathsAreExternal()
    {
        var tokens = RuntimeOptions.For(MountInfoParser.Parse(Mounts), s_container, s_host, ContainerFixture.Spec("podman-owner.config.json"));
        Assert.Equal(
            [
                "--manage-cgroups",
                "--empty-ns", "net",
                "--external", "mnt[/etc/resolv.conf]:/etc/resolv.conf",
                "--external", "mnt[/etc/hosts]:/etc/hosts",
                "--external", "mnt[/data]:/data",
                "--external", "mnt[/proc/kcore]:/proc/kcore",
            ],
            tokens);

        // criu reads them back: external mounts, an empty network namespace, no external namespace.
        var options = Checkpointable.Predict.Predictor.Options([.. tokens, "--no-default-config"]);
        Assert.True(options.IsExternalMount("/etc/hosts"));
        Assert.False(options.IsExternalMount("/etc"));
        Assert.True(options.EmptyNetNs);
        Assert.False(options.IsExternalNamespace("net", s_container.Net));
    }

    [Fact]
    public void APidNamespaceGivenByPathIsExternal()
    {
        var spec = ContainerFixture.Spec("podman-pid.config.json");
        Assert.True(spec.JoinsByPath(OciSpec.PidNamespace));
        var tokens = RuntimeOptions.For([], s_container, s_host, spec);
        Assert.Contains("pid[4026532600]:extRootPidNS", tokens);
        Assert.DoesNotContain(tokens, t => t.StartsWith("net[", StringComparison.Ordinal));
        Assert.True(Checkpointable.Predict.Predictor.Options([.. tokens, "--no-default-config"]).IsExternalNamespace("pid", s_container.Pid));
    }

    [Fact]
    public void ANetworkNamespaceGivenByPathIsExternal()
    {
        var spec = ContainerFixture.Spec("podman-net.config.json");
        Assert.True(spec.JoinsByPath(OciSpec.NetworkNamespace));
        var tokens = RuntimeOptions.For([], s_container, s_host, spec);
        Assert.Contains("net[4026532500]:extRootNetNS", tokens);
        Assert.DoesNotContain(tokens, t => t.StartsWith("pid[", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutTheConfigNoNamespaceIsTakenAsExternal()
    {
        var tokens = RuntimeOptions.For([], s_container, s_host, spec: null);
        Assert.Equal(["--manage-cgroups", "--empty-ns", "net"], tokens);
    }

    [Fact]
    public void AContainerSharingTheHostsMountNamespaceHasNoExternalMounts()
    {
        var tokens = RuntimeOptions.For(MountInfoParser.Parse(Mounts), (s_host.Net, s_host.Mnt, 0), s_host, ContainerFixture.Spec("podman-rm.config.json"));
        Assert.Equal(["--manage-cgroups", "--empty-ns", "net"], tokens);
    }

    [Fact]
    public void RuncNamesItsConfigFileUnlessTheAnnotationSaysOtherwise()
    {
        var spec = ContainerFixture.Spec("podman-owner.config.json");
        Assert.Equal("/etc/criu/runc.conf", RuntimeOptions.ConfigFile(spec));
        Assert.Equal("/etc/criu/runc.conf", RuntimeOptions.ConfigFile(null));
        Assert.Equal("/srv/c.conf", RuntimeOptions.ConfigFile(spec with { Annotations = new Dictionary<string, string> { ["org.criu.config"] = "/srv/c.conf" } }));
        Assert.Null(RuntimeOptions.ConfigFile(spec with { Annotations = new Dictionary<string, string> { ["org.criu.config"] = string.Empty } }));
    }

    [Fact]
    public void TheRequestsConfigFileIsReadAfterItAndOrphanPtsMasterSurvivesVariants()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "tcp-established\n");
            var request = new RuntimeRequest(["--manage-cgroups", "--empty-ns", "net"], OrphanPtsMaster: true, file, Refusal: null);
            var options = request.Options(["--no-default-config"]);
            Assert.True(options.TcpEstablished);
            Assert.Contains(file, options.ConfigFiles);
            Assert.True(options.OrphanPtsMaster);
            Assert.True(options.With(["--file-locks"]).OrphanPtsMaster);
            Assert.Equal(["orphan_pts_master"], request.RpcOnly);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("podman-rm.config.json", "podman", true)]
    [InlineData("podman-owner.config.json", "podman", false)]
    [InlineData("podman-rm.config.json", "docker", false)]
    public void PodmanRefusesARmContainerBeforeRuncRuns(string config, string runtime, bool refused)
    {
        var container = new ContainerRef(runtime, new string('a', 64), "/libpod_parent/libpod-" + new string('a', 64), null);
        var refusal = RuntimeRefusal.Of(container, ContainerFixture.Spec(config));
        Assert.Equal(refused, refusal is not null);
        if (refusal is not null)
        {
            Assert.Equal("C-RM", refusal.RuleId);
            Assert.Contains("--export", refusal.Reason);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"linux\": {\"namespaces\": [{\"type\": 1}, {\"path\": \"/x\"}, 3]}, \"annotations\": {\"a\": 1}}")]
    public void AnOddConfigGivesNoNamespaces(string json)
    {
        var spec = OciSpecParser.Parse(json);
        Assert.True(spec is null || (spec.Namespaces.Count == 0 && spec.Annotations.Count == 0));
    }

    [Fact]
    public void EmptyNsTakesOnlyNet()
    {
        Assert.True(Checkpointable.Predict.Predictor.Options(["--no-default-config", "--empty-ns", "net"]).EmptyNetNs);
        Assert.Throws<Checkpointable.Options.CriuOptionException>(() => Checkpointable.Predict.Predictor.Options(["--no-default-config", "--empty-ns", "pid"]));
    }
}
