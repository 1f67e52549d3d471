using System.Net;
using System.Net.Sockets;
using Checkpointable.Predict;
using Checkpointable.Render;
using Checkpointable.Rules;

// SelfCheck: an application that asks whether it could be checkpointed right now before it asks its
// orchestrator to do it. It opens a TCP connection, asks, closes it, and asks again.
// Its arguments are the criu options the orchestrator would use (e.g. --shell-job when started from a shell).
var options = Predictor.Options(args);
using var listener = new TcpListener(IPAddress.Loopback, 0);
listener.Start();
Ask("listening only", options, args);

using (var client = new TcpClient(AddressFamily.InterNetwork))
{
    client.Connect(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
    using var accepted = listener.AcceptTcpClient();
    Ask("with a TCP connection open", options, args);
}

Ask("after closing it", options, args);
return 0;

static void Ask(string when, Checkpointable.Options.CriuOptions options, string[] criuArgs)
{
    var judgement = Self.Judge(options);
    Console.WriteLine($"{when}: {SeedTextRenderer.VerdictLine(judgement)}");
    foreach (var f in judgement.Blockers)
    {
        Console.WriteLine($"  {f.Pid} {f.Resource}: {Text.Line(f)}");
    }

    Console.WriteLine(judgement.Verdict == Verdict.Checkpointable
        ? $"  -> ready: asking for `{Text.CriuCommand(judgement, criuArgs)}`"
        : "  -> not asking to be checkpointed yet");
}
