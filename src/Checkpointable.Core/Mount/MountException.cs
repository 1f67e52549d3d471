namespace Checkpointable.Mount;

/// <summary>The mount cannot be made or kept (libfuse3 missing, stale mount, not a directory): one line for the user.</summary>
public sealed class MountException(string message) : Exception(message);
