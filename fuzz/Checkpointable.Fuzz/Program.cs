using Checkpointable.Fuzz;
using SharpFuzz;

// Usage: Checkpointable.Fuzz PARSER         under afl-fuzz (fuzz/run.sh): one target, inputs from AFL++'s fork server
//        Checkpointable.Fuzz PARSER FILE…   replay inputs (a crash AFL++ saved) outside the fuzzer; exit 1 on an exception
if (args.Length == 0 || ParserTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: Checkpointable.Fuzz PARSER [FILE...]; parsers: {string.Join(' ', ParserTargets.All.Select(t => t.Name))}");
    return 2;
}

if (args.Length > 1)
{
    int failed = 0;
    foreach (string file in args.Skip(1))
    {
        try
        {
            target.Run(File.ReadAllBytes(file));
        }
        catch (Exception ex)
        {
            failed++;
            Console.WriteLine($"{file}: {ex.GetType().Name}: {ex.Message}");
        }
    }

    return failed == 0 ? 0 : 1;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    target.Run(memory.ToArray());
});
return 0;
