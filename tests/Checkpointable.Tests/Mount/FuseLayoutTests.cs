using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Checkpointable.Interop;
using Xunit;

namespace Checkpointable.Tests.Mount;

/// <summary>
/// The libfuse 3.14 structs as gcc lays them out on x86_64 (checked with a C probe against /usr/include/fuse3;
/// re-checked here by gcc when the headers are installed).
/// </summary>
public sealed unsafe class FuseLayoutTests
{
    public static TheoryData<string, int, int> Layout() => new()
    {
        { "sizeof(struct fuse_operations)", 336, sizeof(FuseOperations) },
        { "offsetof(struct fuse_operations, open)", 96, (int)Marshal.OffsetOf<FuseOperations>(nameof(FuseOperations.Open)) },
        { "offsetof(struct fuse_operations, read)", 104, (int)Marshal.OffsetOf<FuseOperations>(nameof(FuseOperations.Read)) },
        { "offsetof(struct fuse_operations, release)", 136, (int)Marshal.OffsetOf<FuseOperations>(nameof(FuseOperations.Release)) },
        { "offsetof(struct fuse_operations, readdir)", 192, (int)Marshal.OffsetOf<FuseOperations>(nameof(FuseOperations.Readdir)) },
        { "offsetof(struct fuse_operations, init)", 216, (int)Marshal.OffsetOf<FuseOperations>(nameof(FuseOperations.Init)) },
        { "offsetof(struct fuse_operations, access)", 232, (int)Marshal.OffsetOf<FuseOperations>(nameof(FuseOperations.Access)) },
        { "offsetof(struct fuse_operations, lseek)", 328, (int)Marshal.OffsetOf<FuseOperations>(nameof(FuseOperations.Lseek)) },
        { "sizeof(struct fuse_file_info)", 40, Unsafe.SizeOf<FuseFileInfo>() },
        { "offsetof(struct fuse_file_info, fh)", 16, (int)Marshal.OffsetOf<FuseFileInfo>(nameof(FuseFileInfo.Fh)) },
        { "sizeof(struct fuse_context)", 40, Unsafe.SizeOf<FuseContext>() },
        { "offsetof(struct fuse_context, uid)", 8, (int)Marshal.OffsetOf<FuseContext>(nameof(FuseContext.Uid)) },
        { "offsetof(struct fuse_context, pid)", 16, (int)Marshal.OffsetOf<FuseContext>(nameof(FuseContext.Pid)) },
        { "sizeof(struct fuse_config)", 128, Unsafe.SizeOf<FuseConfig>() },
        { "offsetof(struct fuse_config, entry_timeout)", 24, (int)Marshal.OffsetOf<FuseConfig>(nameof(FuseConfig.EntryTimeout)) },
        { "offsetof(struct fuse_config, attr_timeout)", 40, (int)Marshal.OffsetOf<FuseConfig>(nameof(FuseConfig.AttrTimeout)) },
        { "offsetof(struct fuse_config, direct_io)", 72, (int)Marshal.OffsetOf<FuseConfig>(nameof(FuseConfig.DirectIo)) },
        { "offsetof(struct fuse_config, auto_cache)", 80, (int)Marshal.OffsetOf<FuseConfig>(nameof(FuseConfig.AutoCache)) },
        { "sizeof(struct fuse_args)", 24, Unsafe.SizeOf<FuseArgs>() },
        { "sizeof(struct stat)", 144, Unsafe.SizeOf<FuseStat>() },
        { "offsetof(struct stat, st_mode)", 24, (int)Marshal.OffsetOf<FuseStat>(nameof(FuseStat.Mode)) },
        { "offsetof(struct stat, st_mtim)", 88, (int)Marshal.OffsetOf<FuseStat>(nameof(FuseStat.MtimeSec)) },
    };

    [Theory]
    [MemberData(nameof(Layout))]
    public void MatchesTheCLayout(string what, int c, int managed) => Assert.True(c == managed, $"{what}: C {c}, C# {managed}");

    [SkippableFact]
    public void GccAgreesWhenTheHeadersAreInstalled()
    {
        // the build machine's headers are the reference; test.sh installs libfuse3-dev
        Skip.IfNot(File.Exists("/usr/include/fuse3/fuse.h") && File.Exists("/usr/bin/gcc"), "needs gcc and libfuse3-dev's headers");

        string dir = Directory.CreateTempSubdirectory("fuse-layout-").FullName;
        try
        {
            var lines = Layout().Select(row => (string)row[0]).Select(w => $"printf(\"%zu\\n\", (size_t){w});");
            File.WriteAllText(Path.Combine(dir, "l.c"),
                "#define FUSE_USE_VERSION 314\n#include <fuse3/fuse.h>\n#include <stddef.h>\n#include <stdio.h>\n#include <sys/stat.h>\nint main(void){\n" + string.Join('\n', lines) + "\nreturn 0;}\n");
            var cc = MountedFileSystem.Run("gcc", "-I/usr/include/fuse3", "-o", Path.Combine(dir, "l"), Path.Combine(dir, "l.c"));
            Assert.True(cc.ExitCode == 0, cc.Stderr);
            var run = MountedFileSystem.Run(Path.Combine(dir, "l"));
            var expected = Layout().Select(row => ((int)row[1]).ToString()).ToList();
            Assert.Equal(expected, run.Stdout.Trim().Split('\n'));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
