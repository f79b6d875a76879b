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
    /** Resumes still to refuse once each (see {@link #loseHistoryOnce()}). */
    private final java.util.concurrent.atomic.AtomicInteger historyLosses = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean standalone;
    private volatile int failEvery;
    private volatile boolean sampleRefused;
    private volatile boolean idRangesIndexed;
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

    /**
     * From now on a {@code find} sorted by {@code _id}, without projection, whose filter is only an
     * {@code _id} range (as a mongodb source read in ranges sends) reads just that range, as a real server
     * does through its {@code _id} index: the memory backend scans the whole collection for every such
     * query (and its {@code $in} takes time quadratic in the values). The documents are kept sorted until
     * the next write to their collection, and such a query's cursor is served here.
     */
    public void indexIdRanges() {
        idRangesIndexed = true;
    }

    /**
     * The next change stream that resumes is refused with ChangeStreamHistoryLost (286), as a server whose
     * oplog rolled past a point refuses it; a stream opened afterwards, from a point it still has, works.
     */
    public void loseHistoryOnce() {
        historyLosses.incrementAndGet();
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
            if (command.equals("aggregate") && resumes(query)
                    && (historyLost || historyLosses.getAndUpdate(n -> Math.max(0, n - 1)) > 0)) {
                throw new MongoServerError(286, "ChangeStreamHistoryLost",
                        "Resume of change stream was not possible, as the resume point may no longer be in the oplog.");
            }
            if (failEvery > 0 && (command.equals("insert") || command.equals("update"))
                    && writes.incrementAndGet() % failEvery == 0) {
                throw new MongoServerError(50, "MaxTimeMSExpired", "operation exceeded time limit");
            }
            if (command.equals("insert") || command.equals("update") || command.equals("delete")
                    || command.equals("findAndModify") || command.equals("drop")) {
                sortedIds.remove(database + "." + query.get(command));
            }
            if (command.equals("getMore")) {
                Document more = moreOfRange(database, query);
                if (more != null) {
                    return more;
                }
            }
            if (command.equals("killCursors") && query.get("cursors") instanceof List<?> cursors) {
                cursors.forEach(rangeCursors::remove);
            }
            if (idRangesIndexed && command.equals("find") && !(query.get("projection") instanceof Document p && !p.isEmpty())
                    && new Document("_id", 1).equals(query.get("sort")) && query.get("filter") instanceof Document filter) {
                Object[] bounds = idBounds(filter);
                if (bounds != null) {
                    return findIdRange(channel, database, query, bounds);
                }
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
         * general contract!"). Here {@code size} of the documents the stages before it pass are picked
         * at random, and the stages after it run on those alone (in a scratch collection), so that the
         * server does in milliseconds what a real one does with a random cursor. Stages before
         * {@code $sample} may only be {@code $match}, as in ferry's split.
         */
        private Document sample(Channel channel, String database, Document query) {
            @SuppressWarnings("unchecked")
            List<Object> pipeline = (List<Object>) query.get("pipeline");
            int at = sampleAt(query);
            int size = ((Number) ((Document) ((Document) pipeline.get(at)).get("$sample")).get("size")).intValue();
            Document filter = new Document();
            for (Object stage : pipeline.subList(0, at)) {
                filter = new Document("$and", List.of(filter, ((Document) stage).get("$match")));
            }
            String collection = (String) query.get("aggregate");
            Document ids = super.handleCommand(channel, database, "find", new Document("find", collection)
                    .append("filter", filter).append("projection", new Document("_id", 1))
                    .append("batchSize", Integer.MAX_VALUE));
            List<Object> picked = new ArrayList<>();
            for (Object d : (List<?>) ((Document) ids.get("cursor")).get("firstBatch")) {
                picked.add(((Document) d).get("_id"));
            }
            Collections.shuffle(picked);
            picked = picked.subList(0, Math.min(size, picked.size()));
            Document pickedOnly = new Document("_id", new Document("$in", picked));
            List<Object> after = new ArrayList<>(pipeline.subList(at + 1, pipeline.size()));
            Document find = new Document("find", collection).append("filter", pickedOnly).append("batchSize", Integer.MAX_VALUE);
            for (Object stage : after) {
                Document d = (Document) stage;
                if (d.containsKey("$project") && !find.containsKey("sort")) {
                    find.put("projection", d.get("$project"));
                } else if (d.containsKey("$sort")) {
                    find.put("sort", d.get("$sort"));
                } else {
                    find = null; // stages find cannot run: the slow way, scanning the collection once
                    break;
                }
            }
            if (find != null) {
                return super.handleCommand(channel, database, "find", find);
            }
            after.add(0, new Document("$match", pickedOnly));
            Document sampled = new Document(query);
            sampled.put("pipeline", after);
            return super.handleCommand(channel, database, "aggregate", sampled);
        }

        /** Per namespace, its documents in {@code _id} order; dropped at each write to it. */
        private final java.util.Map<String, List<Document>> sortedIds = new java.util.concurrent.ConcurrentHashMap<>();
        /** The cursors of range queries answered here, served by getMore here too. */
        private final java.util.Map<Long, List<Document>> rangeCursors = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicLong nextCursor = new java.util.concurrent.atomic.AtomicLong(1L << 40);

        private Document findIdRange(Channel channel, String database, Document query, Object[] bounds) {
            String collection = (String) query.get("find");
            String ns = database + "." + collection;
            List<Document> sorted = sortedIds.computeIfAbsent(ns, n -> {
                Document all = super.handleCommand(channel, database, "find", new Document("find", collection)
                        .append("sort", new Document("_id", 1)).append("batchSize", Integer.MAX_VALUE));
                List<Document> documents = new ArrayList<>();
                for (Object d : (List<?>) ((Document) all.get("cursor")).get("firstBatch")) {
                    documents.add((Document) d);
                }
                return documents;
            });
            int from = bounds[0] == null ? 0 : firstAtOrAfter(sorted, bounds[0], Boolean.TRUE.equals(bounds[1]));
            int to = bounds[2] == null ? sorted.size() : firstAtOrAfter(sorted, bounds[2], !Boolean.TRUE.equals(bounds[3]));
            int batch = query.get("batchSize") instanceof Number n ? n.intValue() : 101;
            return batch(ns, sorted.subList(from, Math.max(from, to)), batch, "firstBatch");
        }

        /** The next batch of a range cursor of this server, or null for a cursor of the backend's. */
        private Document moreOfRange(String database, Document query) {
            if (!(query.get("getMore") instanceof Long id) || !rangeCursors.containsKey(id)) {
                return null;
            }
            List<Document> rest = rangeCursors.remove(id);
            int batch = query.get("batchSize") instanceof Number n ? n.intValue() : Integer.MAX_VALUE;
            return batch(database + "." + query.get("collection"), rest, batch, "nextBatch");
        }

        private Document batch(String ns, List<Document> documents, int size, String field) {
            int n = Math.min(Math.max(1, size), documents.size());
            long id = 0;
            if (n < documents.size()) {
                id = nextCursor.incrementAndGet();
                rangeCursors.put(id, documents.subList(n, documents.size()));
            }
            return new Document("cursor", new Document(field, new ArrayList<>(documents.subList(0, n))).append("id", id)
                    .append("ns", ns)).append("ok", 1.0);
        }

        /** The first index whose {@code _id} is at or after {@code bound} (after it when not inclusive). */
        private int firstAtOrAfter(List<Document> sorted, Object bound, boolean inclusive) {
            int low = 0;
            int high = sorted.size();
            while (low < high) {
                int mid = (low + high) >>> 1;
                int c = de.bwaldvogel.mongo.backend.ValueComparator.asc().compare(sorted.get(mid).get("_id"), bound);
                if (c < 0 || (c == 0 && !inclusive)) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return low;
        }

        /**
         * {lower, lower inclusive, upper, upper inclusive} of a filter that is only an {@code _id} range in the forms a
         * source read in ranges sends ({@code $type} clauses only widen a bound across types, which the
         * cross-type order of the sorted ids already does), or null for any other filter.
         */
        private Object[] idBounds(Document filter) {
            Object[] bounds = new Object[4];
            if (filter.isEmpty()) {
                return null; // a whole collection: the backend's own scan is what a real server does too
            }
            Document range = filter;
            if (filter.get("$and") instanceof List<?> and) {
                if (and.size() != 2 || !(and.get(0) instanceof Document user) || !user.isEmpty()
                        || !(and.get(1) instanceof Document r)) {
                    return null;
                }
                range = r;
            }
            List<?> clauses = range.get("$or") instanceof List<?> or ? or : List.of(range);
            for (Object clause : clauses) {
                if (!(clause instanceof Document c) || c.size() != 1 || !(c.get("_id") instanceof Document ops)) {
                    return null;
                }
                for (String op : ops.keySet()) {
                    switch (op) {
                        case "$gt", "$gte" -> {
                            bounds[0] = ops.get(op);
                            bounds[1] = op.equals("$gte");
                        }
                        case "$lt", "$lte" -> {
                            bounds[2] = ops.get(op);
                            bounds[3] = op.equals("$lte");
                        }
                        case "$type" -> { }
                        default -> {
                            return null;
                        }
                    }
                }
            }
            return bounds;
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
