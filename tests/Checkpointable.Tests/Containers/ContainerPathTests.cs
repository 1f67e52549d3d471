using Checkpointable.Containers;
using Xunit;

namespace Checkpointable.Tests.Containers;

/// <summary>Container recognition over /proc/PID/cgroup files of real runtimes (Fixtures/cgroup/README.md) and hostile text.</summary>
public class ContainerPathTests
{
    private static ContainerRef? FromFixture(string name) =>
        ContainerPath.Match(CgroupParser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cgroup", name))));

    [Theory]
    [InlineData("docker-v1-cgroupfs.txt", "docker", "34048520ee4dcc79b692911aeb87c104e8f3d9b5a99aa269fa1f2b5a3fcfd1fd", "/docker/34048520ee4dcc79b692911aeb87c104e8f3d9b5a99aa269fa1f2b5a3fcfd1fd", null)]
    [InlineData("docker-v1-systemd.txt", "docker", "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d", "/system.slice/docker-9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d.scope", null)]
    [InlineData("docker-v2-systemd.txt", "docker", "4a5b9d1c1e0fd0a4cbd15bc01fa0d7dfb55c2d3d0b1b0e4e0e1c7b2c4a4d9f11", "/system.slice/docker-4a5b9d1c1e0fd0a4cbd15bc01fa0d7dfb55c2d3d0b1b0e4e0e1c7b2c4a4d9f11.scope", null)]
    [InlineData("podman-v1-hybrid-container.txt", "podman", "24fce7291bc6d7f8a5965a5920740b0df25dda9bb4e84ffb889d8ea2927acec5", "/machine.slice/libpod-24fce7291bc6d7f8a5965a5920740b0df25dda9bb4e84ffb889d8ea2927acec5.scope", null)]
    [InlineData("podman-v2-rootless.txt", "podman", "3f05ee050f82c0145f1d88c94269c39dff0f07dbf8bba20aafd54b3a75dcaecc", "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-3f05ee050f82c0145f1d88c94269c39dff0f07dbf8bba20aafd54b3a75dcaecc.scope", null)]
    [InlineData("k8s-containerd-systemd-hybrid.txt", "containerd", "f45298cd514d1930c4fe3afc4412e59547f7e3148fddd22ca33cefce046eb830", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-poddd1bf9d1_241d_47f5_8e25_12de83135812.slice/cri-containerd-f45298cd514d1930c4fe3afc4412e59547f7e3148fddd22ca33cefce046eb830.scope", "dd1bf9d1-241d-47f5-8e25-12de83135812")]
    [InlineData("k8s-docker-v1-cgroupfs.txt", "kubernetes", "da31e536c8d61304a6d5998d163d12400a7a9a1003e1d86369e8fadb022fc17d", "/kubepods/besteffort/pod1fe19bf5-e8ef-11e8-900c-52daee5a874d/da31e536c8d61304a6d5998d163d12400a7a9a1003e1d86369e8fadb022fc17d", "1fe19bf5-e8ef-11e8-900c-52daee5a874d")]
    [InlineData("k8s-docker-v1-systemd.txt", "docker", "b5b6f2da8008be266864f896f93789762b2ce50792114a5c5f2cc3315af0bc70", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod045b1e35_7f13_11e7_ac42_0050568ffca0.slice/docker-b5b6f2da8008be266864f896f93789762b2ce50792114a5c5f2cc3315af0bc70.scope", "045b1e35-7f13-11e7-ac42-0050568ffca0")]
    [InlineData("k8s-crio-v1-systemd.txt", "cri-o", "d6d725b909f37c3e232aadfbafa950a58bfe7baa579ba8c47a12be88bb921607", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8ca306fa_3c03_47fa_97dd_19979c345572.slice/crio-d6d725b909f37c3e232aadfbafa950a58bfe7baa579ba8c47a12be88bb921607.scope", "8ca306fa-3c03-47fa-97dd-19979c345572")]
    [InlineData("k8s-crio-v1-static-pod.txt", "cri-o", "7a1fd6fe8cdfbd44dc78c4cc85dad7031eaab4365801684cad0aabdeaf863f9e", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod487a0dc6dccaeefbcfedba7a7ce1ca18.slice/crio-7a1fd6fe8cdfbd44dc78c4cc85dad7031eaab4365801684cad0aabdeaf863f9e.scope", "487a0dc6dccaeefbcfedba7a7ce1ca18")]
    [InlineData("k8s-kube-proxy-subcgroup.txt", "kubernetes", "c04e0a88a1de067f25bece337d4dbb897396e0b623c2a65330850fc9823f1903", "/kubepods/besteffort/podf8a694f2-7c08-11e9-98da-000c29077430/c04e0a88a1de067f25bece337d4dbb897396e0b623c2a65330850fc9823f1903", "f8a694f2-7c08-11e9-98da-000c29077430")]
    [InlineData("kind-containerd-v2.txt", "containerd", "6c3f1e2d4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod4a8b5c3e_7d2f_4e1a_9b6c_0f1e2d3c4b5a.slice/cri-containerd-6c3f1e2d4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0.scope", "4a8b5c3e-7d2f-4e1a-9b6c-0f1e2d3c4b5a")]
    [InlineData("k8s-seen-from-a-cgroup-namespace.txt", "containerd", "0f5a2bb1c6a0d7e3f4b9c8a7d6e5f40312a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7", "/../../kubepods-besteffort.slice/kubepods-besteffort-pod1c178021_5860_4495_a1ab_f9ac17877672.slice/cri-containerd-0f5a2bb1c6a0d7e3f4b9c8a7d6e5f40312a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7.scope", "1c178021-5860-4495-a1ab-f9ac17877672")]
    public void RecognisesTheContainerOfEachRuntime(string file, string runtime, string id, string cgroup, string? pod)
    {
        var c = FromFixture(file);
        Assert.NotNull(c);
        Assert.Equal(runtime, c.Runtime);
        Assert.Equal(id, c.Id);
        Assert.Equal(id[..12], c.ShortId);
        Assert.Equal(cgroup, c.CgroupPath);
        Assert.Equal(pod, c.PodUid);
    }

    [Theory]
    [InlineData("podman-v1-hybrid-conmon.txt")]
    [InlineData("k8s-crio-conmon-v2.txt")]
    [InlineData("host-v1.txt")]
    [InlineData("host-v2-service.txt")]
    [InlineData("this-sandbox-hybrid.txt")]
    [InlineData("hostile.txt")]
    public void FindsNoContainerWhereThereIsNone(string file) => Assert.Null(FromFixture(file));

    [Fact]
    public void ParserSkipsMalformedLinesAndKeepsColonsInPaths()
    {
        var lines = CgroupParser.Parse("garbage\n:\n12:pids\nx:pids:/a\n4:memory:rel\n0::/a:b/c\n1:name=systemd:/\n");
        Assert.Equal(2, lines.Count);
        Assert.Equal(new CgroupLine(0, "", "/a:b/c"), lines[0]);
        Assert.True(lines[0].IsUnified);
        Assert.Equal("name=systemd", lines[1].Controllers);
        Assert.Empty(CgroupParser.Parse(""));
    }

    [Fact]
    public void TheV2LineWinsOverAV1LineNamingAnotherContainer()
    {
        string a = new('a', 64), b = new('b', 64);
        var c = ContainerPath.Match(CgroupParser.Parse($"4:memory:/docker/{a}\n0::/system.slice/docker-{b}.scope\n"));
        Assert.Equal(b, c?.Id);
    }

    [Fact]
    public void TheInnermostContainerWinsWhenOneRunsInsideAnother()
    {
        string outer = new('a', 64), inner = new('b', 64);
        Assert.Equal(inner, ContainerPath.Match($"/docker/{outer}/docker/{inner}")?.Id);
        Assert.Null(ContainerPath.Match($"/somewhere/{outer}"));
    }
}
