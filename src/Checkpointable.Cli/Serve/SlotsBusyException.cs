namespace Checkpointable.Cli.Serve;

/// <summary>Every scan slot stayed taken for <see cref="ServeSettings.SlotWait"/>: the request gets 503.</summary>
internal sealed class SlotsBusyException : Exception;
