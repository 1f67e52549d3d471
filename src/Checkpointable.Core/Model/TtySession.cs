namespace Checkpointable.Model;

/// <summary>
/// A controlling tty some process has: its rdev (/proc/P/stat tty_nr), for a pty the devpts instance it is on
/// (<see cref="DevptsInstance"/>; null when unknown), and that process's session and foreground group.
/// </summary>
public sealed record TtySession(DeviceId Tty, DeviceId? Instance, int Session, int ForegroundGroup);
