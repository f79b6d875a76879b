package dev.ferry.testing;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The embedded MongoDB-wire-compatible server for tests: real sockets on a loopback port, which can be
 * stopped and started again on the same port to play an outage.
 */
public final class TestMongoServer implements AutoCloseable {
    private final boolean oplog;
    private MongoServer server;
    private int port;

    public TestMongoServer() {
        this(false);
    }

    private TestMongoServer(boolean oplog) {
        this.oplog = oplog;
        start(0);
    }

    /** A server that serves change streams (what follow jobs read); every write is also kept in its oplog. */
    public static TestMongoServer withOplog() {
        return new TestMongoServer(true);
    }

    private void start(int wantedPort) {
        server = new MongoServer(new MemoryBackend());
        if (oplog) {
            server.enableOplog();
        }
        server.bind("127.0.0.1", wantedPort);
        port = server.getLocalAddress().getPort();
    }

    public String uri() {
        return "mongodb://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Stops listening and drops every connection (and the data: this is a memory backend). */
    public void stop() {
        server.shutdownNow();
    }

    /** Starts a fresh server on the same port. */
    public void restart() {
        start(port);
    }

    /** Established TCP connections to this server's port, as the kernel sees them (Linux). */
    public long establishedConnections() {
        return establishedConnectionsTo(port);
    }

    public static long establishedConnectionsTo(int port) {
        long n = 0;
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(file);
            if (!Files.exists(p)) {
                continue;
            }
            try {
                // read once: the table changes between two reads, and a shorter second read broke subList
                List<String> lines = Files.readAllLines(p);
                for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    // local_address rem_address st: server side of a connection has local port == port
                    String local = f[1];
                    String state = f[3];
                    int localPort = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                    if (localPort == port && state.equals("01")) {
                        n++;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
