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
import java.util.ArrayList;
import java.util.Collections;
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
    private volatile boolean sampleRefused;
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

    /** From now on {@code $sample} is refused as a server that does not know the stage refuses it (40324). */
    public void refuseSample() {
        sampleRefused = true;
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
            if (sampleRefused && command.equals("aggregate") && sampleAt(query) >= 0) {
                throw new MongoServerError(40324, "Location40324", "Unrecognized pipeline stage name: '$sample'");
            }
            if (command.equals("aggregate") && sampleAt(query) >= 0) {
                return sample(channel, database, query);
            }
            return super.handleCommand(channel, database, command, query);
        }

        /**
         * {@code $sample} as a real server runs it: the embedded server sorts by a random number drawn
         * anew at each comparison, which sometimes breaks Java's sort ("Comparison method violates its
         * general contract!"). Here the stages before it run, {@code size} of their documents are picked
         * at random, and the stages after it run on those.
         */
        private Document sample(Channel channel, String database, Document query) {
            @SuppressWarnings("unchecked")
            List<Object> pipeline = (List<Object>) query.get("pipeline");
            int at = sampleAt(query);
            int size = ((Number) ((Document) ((Document) pipeline.get(at)).get("$sample")).get("size")).intValue();
            List<Object> before = new ArrayList<>(pipeline.subList(0, at));
            before.add(new Document("$project", new Document("_id", 1)));
            Document idsQuery = new Document(query);
            idsQuery.put("pipeline", before);
            idsQuery.put("cursor", new Document("batchSize", Integer.MAX_VALUE));
            Document answer = super.handleCommand(channel, database, "aggregate", idsQuery);
            List<Object> ids = new ArrayList<>();
            for (Object d : (List<?>) ((Document) answer.get("cursor")).get("firstBatch")) {
                ids.add(((Document) d).get("_id"));
            }
            Collections.shuffle(ids);
            List<Object> after = new ArrayList<>(pipeline.subList(0, at));
            after.add(new Document("$match", new Document("_id", new Document("$in", ids.subList(0, Math.min(size, ids.size()))))));
            after.addAll(pipeline.subList(at + 1, pipeline.size()));
            Document sampled = new Document(query);
            sampled.put("pipeline", after);
            return super.handleCommand(channel, database, "aggregate", sampled);
        }

        private int sampleAt(Document query) {
            if (!(query.get("pipeline") instanceof List<?> pipeline)) {
                return -1;
            }
            for (int i = 0; i < pipeline.size(); i++) {
                if (pipeline.get(i) instanceof Document stage && stage.containsKey("$sample")) {
                    return i;
                }
            }
            return -1;
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
