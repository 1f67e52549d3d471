using System.Runtime.InteropServices;

namespace Checkpointable.Cli.Commands;

/// <summary>SIGINT and SIGTERM end a watch or a wait cleanly (one cancellation) instead of killing it mid-line.</summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;

    private Interruption()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    public CancellationToken Token => _source.Token;

    public static Interruption Listen() => new();

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        _source.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        _source.Cancel();
    }
}
