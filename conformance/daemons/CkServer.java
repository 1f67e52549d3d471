// A tiny long-running JVM server for the daemons conformance harness: echoes every byte it reads on
// one TCP listener and one unix-socket listener, one thread per connection (so the JVM tree holds
// listening and established sockets of both families, plus the JVM's own threads and mappings).
// Usage: java -cp DIR CkServer HOST PORT UNIX_SOCKET_PATH
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

public final class CkServer {
    private static final int BUFFER_BYTES = 4096;

    public static void main(String[] args) throws IOException {
        ServerSocketChannel tcp = ServerSocketChannel.open();
        tcp.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
        Path socketPath = Path.of(args[2]);
        Files.deleteIfExists(socketPath);
        ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        unix.bind(UnixDomainSocketAddress.of(socketPath));
        Thread unixAcceptor = new Thread(() -> acceptForever(unix), "unix-acceptor");
        unixAcceptor.start();
        acceptForever(tcp);
    }

    private static void acceptForever(ServerSocketChannel listener) {
        while (true) {
            try {
                SocketChannel connection = listener.accept();
                new Thread(() -> echo(connection), "echo").start();
            } catch (IOException e) {
                System.err.println("accept: " + e);
            }
        }
    }

    private static void echo(SocketChannel connection) {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        try (connection) {
            while (connection.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    connection.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException e) {
            System.err.println("echo: " + e);
        }
    }
}
