package dev.ferry.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.WriteModel;
import dev.ferry.concurrent.NamedThreadFactory;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.json.JsonReader;

/**
 * Benchmarks 1 and 6: one NDJSON upsert job through a ferry daemon (drop to done/), with and without a
 * pool reset every 100 ms, against the raw driver reading and writing the same file the same way.
 * Daemon, raw client and destination server all live in this JVM; every run writes a fresh collection.
 */
final class EndToEnd implements AutoCloseable {
    static final int CHUNK = 1000;

    private final TestMongoServer server = new TestMongoServer();
    private final Path file;
    private final long documents;
    private final DaemonFixture daemon;
    private final Spooler spool;
    private final MongoClient raw;
    private int runs;

    EndToEnd(Path dir, Path file, long documents) {
        this.file = file;
        this.documents = documents;
        FerryConf conf = new FerryConf(dir, server.uri()).set("chunk.size", Integer.toString(CHUNK))
                .set("source.file.allowedDirs", file.getParent().toString());
        this.daemon = new DaemonFixture(conf, null).start();
        this.spool = new Spooler(conf.spool());
        this.raw = MongoClients.create(server.uri());
    }

    record Run(double docsPerSecond, long retries, int resets) {
    }

    /** A job dropped into incoming/, timed until its result file is in done/. */
    Run ferry(boolean resetEvery100ms) {
        String id = "bench-" + (++runs);
        String json = "{\"id\": \"" + id + "\", \"source\": {\"type\": \"file\", \"path\": \"" + file
                + "\", \"format\": \"ndjson\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"" + id
                + "\"}, \"mode\": \"upsert\", \"chunkSize\": " + CHUNK + "}";
        AtomicInteger resets = new AtomicInteger();
        ScheduledExecutorService resetter = Executors.newSingleThreadScheduledExecutor(
                new NamedThreadFactory("bench-resetter", true));
        try {
            if (resetEvery100ms) {
                resetter.scheduleAtFixedRate(() -> {
                    daemon.daemon().pools().pool("dest").reset();
                    resets.incrementAndGet();
                }, 100, 100, TimeUnit.MILLISECONDS);
            }
            long t0 = System.nanoTime();
            spool.drop(id + ".json", json);
            Document result = spool.awaitDone(id, Duration.ofMinutes(10));
            long nanos = System.nanoTime() - t0;
            resetter.shutdownNow();
            check(id, ((Number) result.get("documentsRead")).longValue());
            return new Run(documents * 1e9 / nanos, ((Number) result.get("retries")).longValue(), resets.get());
        } finally {
            resetter.shutdownNow();
        }
    }

    /**
     * What a careful hand-written load does: one client, read and parse the file, unordered bulk writes
     * of what ferry sends first (inserts; into a fresh collection none of ferry's falls back to a replace).
     */
    Run raw() {
        String name = "raw-" + (++runs);
        MongoCollection<BsonDocument> coll = raw.getDatabase("ferrytest").getCollection(name, BsonDocument.class);
        BsonDocumentCodec codec = new BsonDocumentCodec();
        DecoderContext context = DecoderContext.builder().build();
        BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
        long t0 = System.nanoTime();
        long read = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<WriteModel<BsonDocument>> batch = new ArrayList<>(CHUNK);
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                BsonDocument doc = codec.decode(new JsonReader(line), context);
                batch.add(new InsertOneModel<>(doc));
                read++;
                if (batch.size() == CHUNK) {
                    coll.bulkWrite(batch, unordered);
                    batch = new ArrayList<>(CHUNK);
                }
            }
            if (!batch.isEmpty()) {
                coll.bulkWrite(batch, unordered);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long nanos = System.nanoTime() - t0;
        check(name, read);
        return new Run(documents * 1e9 / nanos, 0, 0);
    }

    /** The figures count only if every document arrived; the collection is dropped to keep memory flat. */
    private void check(String collection, long read) {
        MongoCollection<Document> coll = raw.getDatabase("ferrytest").getCollection(collection);
        long n = coll.countDocuments();
        coll.drop();
        if (read != documents || n != documents) {
            throw new IllegalStateException(collection + ": read " + read + ", stored " + n + ", expected " + documents);
        }
    }

    @Override
    public void close() {
        raw.close();
        daemon.close();
        server.close();
    }
}
