namespace Checkpointable.Model;

/// <summary>Socket options read from a duplicate of the fd (pidfd_getfd), where sock_diag and /proc are silent.</summary>
/// <param name="PeerPort">SO_PEERNAME port: a closed TCP socket that still remembers its peer goes through TCP repair in criu.</param>
/// <param name="Corked">UDP_CORK (criu refuses corked datagram sockets, sk-inet.c:504).</param>
/// <param name="PassCred">SO_PASSCRED or SO_PASSSEC on a unix receiver (queued data is then refused, sk-queue.c:144).</param>
/// <param name="Inet">For TCP and UDP sockets: what inet_diag would report, read from the socket itself (names, TCP_INFO, queues).</param>
/// <param name="NetNamespace">The network namespace the socket itself belongs to (SIOCGSKNS), null where unknown.</param>
public sealed record SocketOptions(ushort PeerPort, bool? Corked, bool? PassCred, InetSocket? Inet = null, ulong? NetNamespace = null);
