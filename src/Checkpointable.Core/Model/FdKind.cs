namespace Checkpointable.Model;

/// <summary>How CRIU classifies an fd (files.c dump_one_file), reproduced from the link text and stat.</summary>
public enum FdKind
{
    Unknown,
    RegularFile,
    Directory,
    Symlink,
    Memfd,
    CharDevice,
    BlockDevice,
    Pipe,
    Fifo,
    Socket,
    AnonInode,
    Namespace,
}
