namespace Checkpointable.Cli;

/// <summary>The exit statuses scripts rely on (README: "Exit status").</summary>
public static class ExitCodes
{
    public const int Checkpointable = 0;
    public const int NotCheckpointable = 1;
    public const int Error = 2;
    public const int Undecided = 3;
}

/// <summary>A problem with the user's input or the environment, shown as one line on stderr with exit status 2.</summary>
public sealed class UserFacingException(string message) : Exception(message);
