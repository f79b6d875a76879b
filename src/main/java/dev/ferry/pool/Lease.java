package dev.ferry.pool;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import org.bson.BsonDocument;

/**
 * The right to use a connection's client until {@link #close()}. The client stays open at least that
 * long, whatever resets, reaps or health reconnects happen meanwhile. Meant for one thread and a
 * try-with-resources block; never keep the client beyond it.
 */
public final class Lease implements AutoCloseable {
    private final PooledClient pool;
    private final ClientGeneration generation;
    private boolean closed;

    Lease(PooledClient pool, ClientGeneration generation) {
        this.pool = pool;
        this.generation = generation;
    }

    public MongoClient client() {
        if (closed) {
            throw new IllegalStateException(pool.name() + ": lease already returned");
        }
        return generation.client();
    }

    public MongoDatabase database(String name) {
        return client().getDatabase(name);
    }

    public MongoCollection<BsonDocument> collection(String database, String collection) {
        return database(database).getCollection(collection, BsonDocument.class);
    }

    /** The connection this lease belongs to. */
    public String connectionName() {
        return pool.name();
    }

    /**
     * Whether a reset, health reconnect or reap has retired this lease's client since it was taken: a
     * long-lived reader (a source cursor, a change stream) then moves to a new lease between two
     * reads, so that the old client can drain. The pool answers; callers never compare generations.
     */
    public boolean isRetired() {
        return generation.isRetired();
    }

    /** Which client generation serves this lease; a reset or reconnect starts a new one. */
    public long generation() {
        return generation.number();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pool.release(generation);
        }
    }
}
