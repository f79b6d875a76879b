package dev.ferry.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.concurrent.Executors2;
import dev.ferry.job.WriteMode;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolManager;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.ErrorClassifier;
import dev.ferry.sync.write.PermanentWriteException;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.TestMongoServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.bson.BsonDocument;

/**
 * Benchmark 2: the same chunk writes (ferry's {@link ChunkWriter}, upsert by _id) on a lease from
 * ferry's pool, or on a MongoClient created for the chunk and closed after it (the original bug).
 */
final class ClientChurn implements AutoCloseable {
    private static final List<String> KEY = List.of("_id");

    private final TestMongoServer server = new TestMongoServer();
    /** Null, or the loopback proxy that delays every packet to play a network between client and server. */
    private final FaultProxy network;
    private final String uri;
    private final ScheduledThreadPoolExecutor scheduler = Executors2.scheduler("bench-scheduler", 1);
    private final PoolManager pools;
    private final ChunkWriter writer = new ChunkWriter(new ErrorClassifier());
    private final MongoClient admin = MongoClients.create(server.uri());
    private int runs;

    /** @param oneWayLatency zero for plain loopback; else every packet waits this long in each direction */
    ClientChurn(Duration oneWayLatency) {
        if (oneWayLatency.isZero()) {
            network = null;
            uri = server.uri();
        } else {
            network = new FaultProxy("127.0.0.1", server.port());
            network.setLatency(oneWayLatency);
            uri = network.uri();
        }
        pools = BenchPools.start(uri, scheduler);
    }

    /** @return documents per second */
    double pooled(List<List<BsonDocument>> chunks) {
        String name = "pooled-" + (++runs);
        long t0 = System.nanoTime();
        for (List<BsonDocument> chunk : chunks) {
            try (Lease lease = pools.lease(BenchPools.CONNECTION)) {
                write(lease.collection("bench", name), chunk);
            }
        }
        return rate(chunks, System.nanoTime() - t0, name);
    }

    /** @return documents per second */
    double clientPerChunk(List<List<BsonDocument>> chunks) {
        String name = "churn-" + (++runs);
        long t0 = System.nanoTime();
        for (List<BsonDocument> chunk : chunks) {
            try (MongoClient client = MongoClients.create(uri)) {
                write(client.getDatabase("bench").getCollection(name, BsonDocument.class), chunk);
            }
        }
        return rate(chunks, System.nanoTime() - t0, name);
    }

    private void write(com.mongodb.client.MongoCollection<BsonDocument> coll, List<BsonDocument> chunk) {
        try {
            writer.write(coll, chunk, WriteMode.UPSERT, KEY);
        } catch (PermanentWriteException e) {
            throw new IllegalStateException(e);
        }
    }

    private double rate(List<List<BsonDocument>> chunks, long nanos, String collection) {
        long docs = chunks.stream().mapToLong(List::size).sum();
        var coll = admin.getDatabase("bench").getCollection(collection);
        long stored = coll.countDocuments();
        coll.drop();
        if (stored != docs) {
            throw new IllegalStateException(collection + ": stored " + stored + " of " + docs);
        }
        return docs * 1e9 / nanos;
    }

    static List<List<BsonDocument>> chunks(int chunkSize, int count) {
        List<BsonDocument> all = BenchData.documents(0, chunkSize * count);
        List<List<BsonDocument>> chunks = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            chunks.add(all.subList(i * chunkSize, (i + 1) * chunkSize));
        }
        return chunks;
    }

    @Override
    public void close() {
        admin.close();
        pools.close();
        Executors2.shutdown("bench-scheduler", scheduler, Duration.ofSeconds(5));
        if (network != null) {
            network.close();
        }
        server.close();
    }
}
