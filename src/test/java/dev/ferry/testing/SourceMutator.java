package dev.ferry.testing;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;

/**
 * Changes a follow job's source while it runs: inserts (new keys, and keys below the copy's position), updates,
 * replaces and deletes of random keys, about 500 changes a second; every document has {@code k} = its {@code _id}, as
 * {@link Exactness} compares them.
 */
public final class SourceMutator implements Runnable {
    public final AtomicBoolean stop = new AtomicBoolean();
    public final AtomicLong changes = new AtomicLong();
    private final MongoCollection<Document> source;
    private long nextKey;

    public SourceMutator(MongoCollection<Document> source, long keys) {
        this.source = source;
        this.nextKey = keys;
    }

    @Override
    public void run() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop.get()) {
            long key = random.nextLong(nextKey);
            switch (random.nextInt(4)) {
                case 0 -> {
                    long k = random.nextBoolean() ? nextKey++ : -1 - random.nextLong(1000); // also below the copy's position
                    source.replaceOne(Filters.eq("_id", k), new Document("_id", k).append("k", k).append("v", 1),
                            new com.mongodb.client.model.ReplaceOptions().upsert(true));
                }
                case 1 -> source.updateOne(Filters.eq("_id", key), Updates.inc("v", 1));
                case 2 -> source.replaceOne(Filters.eq("_id", key),
                        new Document("_id", key).append("k", key).append("v", random.nextInt()).append("r", true));
                default -> source.deleteOne(Filters.eq("_id", key));
            }
            changes.incrementAndGet();
            try {
                Thread.sleep(2); // pacing of the load, not waiting for an event
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
