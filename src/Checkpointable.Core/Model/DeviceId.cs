namespace Checkpointable.Model;

/// <summary>A device number split as the kernel prints it (major:minor).</summary>
public readonly record struct DeviceId(uint Major, uint Minor)
{
    public override string ToString() => $"{Major}:{Minor}";

    /// <summary>glibc's dev_t encoding (makedev), as CRIU prints it in <c>--external tty[rdev:dev]</c>.</summary>
    public ulong GlibcDevT =>
        (Minor & 0xffUL) | ((Major & 0xfffUL) << 8) | ((Minor & ~0xffUL) << 12) | ((Major & ~0xfffUL) << 32);

    /// <summary>The kernel's internal (new_encode_dev) encoding used in fdinfo <c>sdev:</c> fields.</summary>
    public static DeviceId FromKernelEncoding(ulong dev) => new((uint)(dev >> 20), (uint)(dev & 0xfffff));
}
