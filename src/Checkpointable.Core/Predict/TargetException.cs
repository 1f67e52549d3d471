namespace Checkpointable.Predict;

/// <summary>The target cannot be judged (no such process, a thread id, exited while read): one line for the user.</summary>
public sealed class TargetException(string message) : Exception(message);
