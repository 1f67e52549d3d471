namespace Checkpointable.Options;

/// <summary>A --criu-caps value that names no capability set (an unknown capability name, an empty item).</summary>
public sealed class CriuCapsException(string message) : Exception(message);
