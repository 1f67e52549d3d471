using System.Text;
using Checkpointable.Fuzz;
using Checkpointable.Tests.SockDiag;
using Xunit;

namespace Checkpointable.Tests.Fuzz;

/// <summary>
/// The fuzz targets of fuzz/ run in-process, without a fuzzer: every seed (the parser fixtures, Fixtures/fuzz/TARGET
/// including the crash regressions, and a live capture) and a few thousand random mutations of them. A parser answers
/// bad input with its failure result; any exception that escapes fails the test with the input that caused it.
/// </summary>
public sealed class ParserSmokeTests
{
    private const int MutationsPerTarget = 3000;

    private static readonly byte[] InterestingBytes = [0, 0xff, 0x7f, 0x80, (byte)' ', (byte)':', (byte)'\n', (byte)'(', (byte)')', (byte)'-', (byte)'\\'];

    private static readonly uint[] InterestingLengths = [0, 1, 3, 4, 15, 16, 17, 0xffff, 0x10000, uint.MaxValue];

    public static TheoryData<string> Targets() => [.. ParserTargets.All.Select(t => t.Name)];

    [Fact]
    public void EveryTargetHasSeeds()
    {
        foreach (var target in ParserTargets.All)
        {
            Assert.True(Seeds(target).Count > 0, $"{target.Name} has no seed");
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void SeedsAndMutationsNeverThrow(string name)
    {
        var target = ParserTargets.Find(name)!;
        var seeds = Seeds(target);
        foreach (byte[] seed in seeds)
        {
            RunOrReport(target, seed);
        }

        var random = new Random(name.GetHashCode(StringComparison.Ordinal) ^ 6);
        for (int i = 0; i < MutationsPerTarget; i++)
        {
            RunOrReport(target, Mutate(seeds[random.Next(seeds.Count)], seeds[random.Next(seeds.Count)], random));
        }
    }

    [Fact]
    public void ATargetThatThrowsIsReported()
    {
        var throwing = new ParserTarget("throws", "proc/stat", input => _ = input[input.Length]);
        Assert.Throws<Xunit.Sdk.FailException>(() => RunOrReport(throwing, [1, 2, 3]));
    }

    private static void RunOrReport(ParserTarget target, byte[] input)
    {
        try
        {
            target.Run(input);
        }
        catch (Exception ex)
        {
            Assert.Fail($"{target.Name} threw {ex.GetType().Name} on input (hex) {Convert.ToHexString(input)}: {ex.Message}");
        }
    }

    /// <summary>AFL-like havoc: byte flips, interesting values, deletions, duplications, splices with another seed.</summary>
    private static byte[] Mutate(byte[] seed, byte[] other, Random random)
    {
        var data = new List<byte>(seed);
        int steps = random.Next(1, 9);
        for (int s = 0; s < steps; s++)
        {
            int at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(7))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = InterestingBytes[random.Next(InterestingBytes.Length)];
                    break;
                case 2 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(random.Next(1, 32), data.Count - at));
                    break;
                case 3 when data.Count > 0:
                    int len = Math.Min(random.Next(1, 64), data.Count - at);
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, len));
                    break;
                case 4 when data.Count >= 4:
                    // A 16- or 32-bit length field set to an extreme, as netlink framing bugs need.
                    int pos = random.Next(data.Count - 3);
                    uint value = InterestingLengths[random.Next(InterestingLengths.Length)];
                    byte[] bytes = BitConverter.GetBytes(value);
                    for (int k = 0; k < (random.Next(2) == 0 ? 2 : 4); k++)
                    {
                        data[pos + k] = bytes[k];
                    }

                    break;
                case 5:
                    int from = other.Length == 0 ? 0 : random.Next(other.Length);
                    data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, random.Next(1, 128))).ToArray());
                    break;
                default:
                    if (data.Count > 0)
                    {
                        data.RemoveRange(at, data.Count - at);
                    }

                    break;
            }
        }

        return [.. data];
    }

    /// <summary>The fixtures named by the target's seed prefix, its Fixtures/fuzz folder, and a live capture where one exists.</summary>
    internal static List<byte[]> Seeds(ParserTarget target)
    {
        string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var seeds = new List<byte[]>();
        string folder = Path.GetDirectoryName(target.Seeds)!;
        string prefix = Path.GetFileName(target.Seeds);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(fixtures, folder), prefix + "*").Order())
        {
            if (folder == "sockdiag")
            {
                if (file.EndsWith(".hex", StringComparison.Ordinal))
                {
                    seeds.AddRange(SockDiagTestSupport.LoadFixture(Path.GetFileNameWithoutExtension(file)));
                }
            }
            else
            {
                seeds.Add(File.ReadAllBytes(file));
            }
        }

        string extra = Path.Combine(fixtures, "fuzz", target.Name);
        if (Directory.Exists(extra))
        {
            seeds.AddRange(Directory.EnumerateFiles(extra).Order().Select(File.ReadAllBytes));
        }

        string live = target.Name switch
        {
            "stat" or "status" or "maps" or "mountinfo" => $"/proc/self/{target.Name}",
            "locks" => "/proc/locks",
            _ => string.Empty,
        };
        if (live.Length > 0)
        {
            seeds.Add(Encoding.UTF8.GetBytes(File.ReadAllText(live)));
        }

        return seeds;
    }
}
