package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.OUTCOME;
import static dev.ferry.sync.EndToEnd.assertAddsUp;
import static dev.ferry.sync.EndToEnd.collection;
import static dev.ferry.sync.EndToEnd.file;
import static dev.ferry.sync.EndToEnd.job;
import static dev.ferry.sync.EndToEnd.number;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.bson.BsonDocument;
import org.bson.Document;

/**
 * Random byte damage to a valid file, loaded by a running daemon with {@code "onInvalid": "skip"}:
 * the job never hangs or crashes, it ends in done/, every record is counted once, and every line the
 * damage left intact is stored exactly (the source-level properties are in {@code FilePropertiesTest}).
 */
class DamagedFilesEndToEndTest {
    private static final int LINES = 60;
    private static final AtomicInteger JOBS = new AtomicInteger();
    private static Path dir;
    private static TestMongoServer server;
    private static MongoClient client;
    private static FerryConf conf;
    private static DaemonFixture daemon;
    private static Spooler spool;

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("ferry-damaged");
        server = new TestMongoServer();
        client = MongoClients.create(server.uri());
        conf = new FerryConf(dir, server.uri()).set("chunk.size", "7");
        spool = new Spooler(conf.spool());
        daemon = new DaemonFixture(conf, null).start();
    }

    @AfterContainer
    static void stop() throws IOException {
        daemon.close();
        client.close();
        server.close();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Lines whose ids differ in many places, so that no damage turns one id into another. */
    private static List<String> lines(Random random) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < LINES; i++) {
            lines.add("{\"_id\": \"" + Long.toHexString(random.nextLong() | Long.MIN_VALUE) + "\", \"name\": \"n\u00e9" + i
                    + "\", \"v\": [1, 2.5, true], \"sub\": {\"k\": null}}");
        }
        return lines;
    }

    @Property(tries = 25)
    void aDamagedNdjsonFileEndsInDoneWithEveryRecordCountedAndEveryIntactLineStored(
            @ForAll @IntRange(min = 1, max = 12) int damage, @ForAll long seed, @ForAll boolean gzip) {
        Random random = new Random(seed);
        List<String> lines = lines(random);
        byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        for (int k = 0; k < damage; k++) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        String[] damaged = new String(bytes, StandardCharsets.ISO_8859_1).split("\n", -1);
        Set<String> originals = new HashSet<>();
        lines.forEach(l -> originals.add(new String(l.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)));
        List<BsonDocument> intact = Arrays.stream(damaged).filter(originals::contains)
                .map(l -> BsonDocument.parse(new String(l.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)))
                .toList();
        long records = Arrays.stream(damaged).filter(l -> !l.replace("\r", "").isBlank()).count();

        String id = "damaged-" + JOBS.incrementAndGet();
        Path data = EndToEnd.data(conf.data().resolve(id + (gzip ? ".ndjson.gz" : ".ndjson")), bytes);
        spool.drop(id + ".json", job(id, file(data, "ndjson"), id).append("onInvalid", "skip").toJson());
        Document result = spool.awaitDone(id, OUTCOME);

        assertAddsUp(result);
        assertEquals(records, number(result, "documentsRead"), "every non-blank line is a record: " + result.toJson());
        long stored = collection(client, id).countDocuments();
        assertEquals(number(result, "documentsRead") - number(result, "rejected"), stored,
                "all ids differ, so every record not rejected is a document: " + result.toJson());
        for (BsonDocument line : intact) {
            assertEquals(line, collection(client, id).find(new BsonDocument("_id", line.get("_id"))).first(),
                    "an intact line is stored as written");
        }
    }

    @Property(tries = 15)
    void aDamagedCsvFileEndsInDoneWithEveryRecordCounted(@ForAll @IntRange(min = 1, max = 12) int damage,
                                                         @ForAll long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder("_id,name,note\n");
        for (int i = 0; i < LINES; i++) {
            text.append(Long.toHexString(random.nextLong() | Long.MIN_VALUE)).append(",n\u00e9").append(i)
                    .append(",\"a, \"\"b\"\"\nc\"\n");
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        int header = "_id,name,note\n".length();
        for (int k = 0; k < damage; k++) {
            bytes[header + random.nextInt(bytes.length - header)] = (byte) random.nextInt(256);
        }
        String id = "damaged-csv-" + JOBS.incrementAndGet();
        Path data = EndToEnd.data(conf.data().resolve(id + ".csv"), bytes);
        spool.drop(id + ".json", job(id, file(data, "csv").append("types", new Document("_id", "string")), id)
                .append("onInvalid", "skip").toJson());
        Document result = spool.awaitDone(id, OUTCOME);

        assertAddsUp(result);
        assertEquals(number(result, "documentsRead") - number(result, "rejected") - number(result, "matched"),
                collection(client, id).countDocuments(), "every record not rejected is stored: " + result.toJson());
    }
}
