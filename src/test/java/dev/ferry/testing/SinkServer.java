package dev.ferry.testing;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A MongoDB-wire server that acknowledges writes without storing them, so that a benchmark measures the
 * clients, not the server: {@code insert}, {@code update} and {@code delete} commands are answered at once,
 * as a real server would answer them against an empty collection, and only counted.
 *
 * <ul>
 * <li>{@code insert}: {@code n} = the number of documents (duplicate keys are not detected, not even within
 *     one batch: nothing is kept to compare with);</li>
 * <li>{@code update}: a statement with {@code upsert: true} inserts (nothing matches an empty collection):
 *     {@code n} counts it and {@code upserted} lists {@code {index, _id}}, the {@code _id} taken from the
 *     replacement, else from the filter's {@code _id} equality, else a new ObjectId, as the server makes them;
 *     {@code nModified} is 0; a statement without upsert matches nothing;</li>
 * <li>{@code delete}: {@code n} is 0, nothing matches.</li>
 * </ul>
 *
 * <p>Every other command (handshakes, {@code ping}, {@code createIndexes}, {@code find}, ...) is the memory
 * backend's, so reads see empty collections. {@link #writes(String)} counts, per collection, every document
 * inserted and every update or delete statement: the number of writes a client made.
 */
public final class SinkServer implements AutoCloseable {
    private final Map<String, LongAdder> writes = new ConcurrentHashMap<>();
    private final LongAdder inserted = new LongAdder();
    private final LongAdder updates = new LongAdder();
    private final LongAdder upserted = new LongAdder();
    private final LongAdder deletes = new LongAdder();
    private final LongAdder commands = new LongAdder();
    private final MongoServer server;
    private final int port;

    public SinkServer() {
        server = new MongoServer(new Backend());
        server.bind("127.0.0.1", 0);
        port = server.getLocalAddress().getPort();
    }

    public String uri() {
        return "mongodb://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Documents inserted plus update and delete statements, into {@code database.collection}. */
    public long writes(String namespace) {
        LongAdder n = writes.get(namespace);
        return n == null ? 0 : n.sum();
    }

    /** Writes into every collection. */
    public long writes() {
        return inserted.sum() + updates.sum() + deletes.sum();
    }

    public long inserted() {
        return inserted.sum();
    }

    /** Update statements, upserts included. */
    public long updates() {
        return updates.sum();
    }

    public long upserted() {
        return upserted.sum();
    }

    public long deletes() {
        return deletes.sum();
    }

    /** insert, update and delete commands: one per batch a client sent. */
    public long writeCommands() {
        return commands.sum();
    }

    /** Waits until {@code namespace} has seen at least {@code n} writes; false when {@code timeout} ran out. */
    public boolean awaitWrites(String namespace, long n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (writes(namespace) < n) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(1_000_000L); // 1 ms: fine enough for runs of seconds, cheap on 2 cores
        }
        return true;
    }

    @Override
    public void close() {
        server.shutdownNow();
    }

    private void count(String database, Object collection, int n) {
        writes.computeIfAbsent(database + "." + collection, k -> new LongAdder()).add(n);
        commands.increment();
    }

    private final class Backend extends MemoryBackend {
        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            switch (command) {
                case "insert" -> {
                    int n = list(query, "documents").size();
                    inserted.add(n);
                    count(database, query.get("insert"), n);
                    return ok().append("n", n);
                }
                case "update" -> {
                    List<?> statements = list(query, "updates");
                    List<Document> upsertedIds = new ArrayList<>();
                    for (int i = 0; i < statements.size(); i++) {
                        if (statements.get(i) instanceof Document s && Boolean.TRUE.equals(s.get("upsert"))) {
                            upsertedIds.add(new Document("index", i).append("_id", upsertedId(s)));
                        }
                    }
                    updates.add(statements.size());
                    upserted.add(upsertedIds.size());
                    count(database, query.get("update"), statements.size());
                    Document reply = ok().append("n", upsertedIds.size()).append("nModified", 0);
                    if (!upsertedIds.isEmpty()) {
                        reply.append("upserted", upsertedIds);
                    }
                    return reply;
                }
                case "delete" -> {
                    int n = list(query, "deletes").size();
                    deletes.add(n);
                    count(database, query.get("delete"), n);
                    return ok().append("n", 0);
                }
                default -> {
                    return super.handleCommand(channel, database, command, query);
                }
            }
        }
    }

    private static Document ok() {
        return new Document("ok", 1.0);
    }

    private static List<?> list(Document query, String field) {
        return query.get(field) instanceof List<?> l ? l : List.of();
    }

    /** The _id a server gives the document an upsert inserts. */
    private static Object upsertedId(Document statement) {
        if (statement.get("u") instanceof Document u && u.containsKey("_id") && !isOperators(u)) {
            return u.get("_id");
        }
        if (statement.get("q") instanceof Document q && q.containsKey("_id")) {
            Object id = q.get("_id");
            if (!(id instanceof Document d) || !isOperators(d)) {
                return id;
            }
            if (d.size() == 1 && d.containsKey("$eq")) {
                return d.get("$eq");
            }
        }
        if (statement.get("u") instanceof Document u && u.get("$set") instanceof Document set && set.containsKey("_id")) {
            return set.get("_id");
        }
        return new ObjectId();
    }

    private static boolean isOperators(Document d) {
        return !d.isEmpty() && d.keySet().iterator().next().startsWith("$");
    }
}
