namespace Checkpointable.Rules;

/// <summary>The seed's subsystems: one "NAME: 1|0" line each in /proc/PID/checkpointable.</summary>
public enum Subsystem
{
    Task,
    Mm,
    Files,
    Sockets,
    Tty,
    Locks,
    Ipc,
    Namespaces,
    Host,
}
