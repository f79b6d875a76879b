package dev.ferry.testing;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import io.netty.channel.Channel;
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
    private volatile boolean historyLost;
    private volatile boolean standalone;
    private volatile int failEvery;
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    private MongoServer server;
    private int port;

    public TestMongoServer() {
        this(false);
    }

    private TestMongoServer(boolean oplog) {
        this.oplog = oplog;
        start(0);
    }

    /**
     * A server that refuses change streams as a standalone {@code mongod} does (error 40573); the
     * embedded server without its oplog would answer with an error that says nothing.
     */
    public static TestMongoServer standalone() {
        TestMongoServer server = new TestMongoServer(false);
        server.standalone = true;
        return server;
    }

    /** A server that serves change streams (what follow jobs read); every write is also kept in its oplog. */
    public static TestMongoServer withOplog() {
        return new TestMongoServer(true);
    }

    private void start(int wantedPort) {
        server = new MongoServer(new Backend());
        if (oplog) {
            server.enableOplog();
        }
        server.bind("127.0.0.1", wantedPort);
        port = server.getLocalAddress().getPort();
    }

    /**
     * Turns the oplog on now, for a server seeded before: as a replica set whose oplog starts after the
     * seed (a server made {@link #withOplog()} replays every write it ever took to a new change stream).
     */
    public void enableOplog() {
        server.enableOplog();
    }

    /**
     * From now on every {@code n}-th insert or update command fails before it writes anything, with
     * error 50 (MaxTimeMSExpired), as a server whose write ran out of time answers: a transient error,
     * retried. (Not 91, ShutdownInProgress: the driver would then mark the server unknown and wait half a
     * second for its next heartbeat before every retry.)
     */
    public void failEveryNthWrite(int n) {
        failEvery = n;
    }

    /**
     * From now on a change stream that resumes (after a token or from a time) is refused with
     * ChangeStreamHistoryLost (286), as a real server refuses one whose point has left its oplog;
     * a stream opened without a resume point still works.
     */
    public void loseHistory() {
        historyLost = true;
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

    /** The memory backend, able to play a server whose oplog no longer reaches back to a resume point. */
    private final class Backend extends MemoryBackend {
        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            if (standalone && command.equals("aggregate") && changeStream(query) != null) {
                throw new MongoServerError(40573, "Location40573", "The $changeStream stage is only supported on replica sets");
            }
            if (historyLost && command.equals("aggregate") && resumes(query)) {
                throw new MongoServerError(286, "ChangeStreamHistoryLost",
                        "Resume of change stream was not possible, as the resume point may no longer be in the oplog.");
            }
            if (failEvery > 0 && (command.equals("insert") || command.equals("update"))
                    && writes.incrementAndGet() % failEvery == 0) {
                throw new MongoServerError(50, "MaxTimeMSExpired", "operation exceeded time limit");
            }
            return super.handleCommand(channel, database, command, query);
        }

        private boolean resumes(Document query) {
            Document stream = changeStream(query);
            return stream != null && (stream.containsKey("resumeAfter") || stream.containsKey("startAfter")
                    || stream.containsKey("startAtOperationTime"));
        }

        private Document changeStream(Document query) {
            if (!(query.get("pipeline") instanceof List<?> pipeline) || pipeline.isEmpty()
                    || !(pipeline.get(0) instanceof Document first)
                    || !(first.get("$changeStream") instanceof Document stream)) {
                return null;
            }
            return stream;
        }
    }
}
