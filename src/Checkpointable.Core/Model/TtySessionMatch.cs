namespace Checkpointable.Model;

/// <summary>
/// The session found for a tty. <see cref="SameInstance"/> is false when the pty's devpts instance or the
/// session's could not be known, so this session may be one of another instance's pty with the same number.
/// </summary>
public readonly record struct TtySessionMatch(int Session, int ForegroundGroup, bool SameInstance);
