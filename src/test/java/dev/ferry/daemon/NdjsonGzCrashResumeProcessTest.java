package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.testing.Await;
import dev.ferry.testing.Exactness;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code .ndjson.gz} job with bad lines and {@code "onInvalid": "skip"}, killed with SIGKILL after
 * its first checkpoint: a gzip stream cannot seek, so the second daemon decompresses again and skips
 * the checkpoint's lines; the destination equals the file's good lines exactly and the
 * rejected-records file holds each bad line once.
 */
class NdjsonGzCrashResumeProcessTest {
    private static final int DOCUMENTS = 10_000;
    private static final Pattern RESUMED = Pattern.compile("ngz: resuming after (\\d+) documents");

    /** A bad line of each kind the issue names, and the words its reason must contain. */
    private static final List<byte[]> BAD = List.of(
            "{\"_id\": \"broken\", ".getBytes(StandardCharsets.UTF_8),
            "42".getBytes(StandardCharsets.UTF_8),
            "{\"_id\": \"latin\", \"name\": \"Jos\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
    private static final List<String> REASONS = List.of("not valid JSON", "expected a JSON object", "not valid UTF-8");

    @Test
    void aGzippedNdjsonJobKilledMidwayResumesExactlyAndRejectsEachBadLineOnce(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path confDir = conf.write();
            Path ndjson = conf.data().resolve("big.ndjson.gz");
            List<Document> expected = new ArrayList<>(DOCUMENTS);
            List<Long> badLines = new ArrayList<>();
            try (OutputStream out = new BufferedOutputStream(new GZIPOutputStream(Files.newOutputStream(ndjson)))) {
                long line = 0;
                for (int i = 0; i < DOCUMENTS; i++) {
                    Document d = new Document("_id", i).append("name", "person-" + i).append("score", i * 7 % 1000)
                            .append("address", new Document("zip", String.format("%05d", i % 99_999)));
                    out.write((d.toJson() + (i % 2 == 0 ? "\n" : "\r\n")).getBytes(StandardCharsets.UTF_8));
                    line++;
                    expected.add(d);
                    if (i % 1_000 == 7) {
                        out.write(BAD.get(badLines.size() % BAD.size()));
                        out.write('\n');
                        badLines.add(++line);
                    }
                }
            }
            String job = "{\"source\": {\"type\": \"file\", \"path\": \"" + ndjson + "\", \"format\": \"ndjson\"},"
                    + " \"destination\": {\"connection\": \"dest\", \"collection\": \"ngz\"}, \"onInvalid\": \"skip\","
                    + " \"chunkSize\": 250}";
            Spooler spool = new Spooler(conf.spool());
            Path checkpoint = conf.state().resolve("checkpoints").resolve("ngz.checkpoint.json");

            try (FerryProcess first = FerryProcess.run(confDir, dir.resolve("first.log"))) {
                first.awaitLog("started (pid", Duration.ofSeconds(30));
                spool.drop("ngz.json", job);
                Await.until(Duration.ofSeconds(60), () -> Files.exists(checkpoint) || !first.isAlive(), "a checkpoint of job ngz");
                first.sigkill();
                assertEquals(137, first.awaitExit(Duration.ofSeconds(10)), "SIGKILL exit status");
            }
            assertTrue(Files.exists(conf.spool().resolve("active").resolve("ngz.json")), "the job stays in active/");

            try (FerryProcess second = FerryProcess.run(confDir, dir.resolve("second.log"))) {
                Document result = spool.awaitDone("ngz", Duration.ofSeconds(60));
                Matcher resumed = RESUMED.matcher(second.log());
                assertTrue(resumed.find(), "resumed from the checkpoint; log:\n" + second.log());
                assertTrue(Long.parseLong(resumed.group(1)) > 0, resumed.group());
                assertEquals((long) DOCUMENTS + badLines.size(), number(result, "documentsRead"), result.toJson());
                assertEquals((long) DOCUMENTS, number(result, "upserted") + number(result, "matched"), result.toJson());
                assertEquals((long) badLines.size(), number(result, "rejected"), result.toJson());
            }
            List<String> rejected = Files.readAllLines(conf.spool().resolve("done").resolve("ngz.rejected.ndjson"));
            List<Long> rejectedLines = new ArrayList<>();
            for (int i = 0; i < rejected.size(); i++) {
                Document r = Document.parse(rejected.get(i));
                rejectedLines.add(((Number) r.get("line")).longValue());
                assertTrue(r.getString("reason").contains(REASONS.get(i % REASONS.size())), rejected.get(i));
            }
            assertEquals(badLines, rejectedLines, "each bad line once, in order");
            assertEquals("{\"_id\": \"broken\", ", Document.parse(rejected.get(0)).getString("record"));
            try (MongoClient client = MongoClients.create(server.uri())) {
                Exactness.Report exact = Exactness.compare(expected, "_id",
                        List.of(client.getDatabase(Dataset.DATABASE).getCollection("ngz"))).assertExact();
                assertEquals(DOCUMENTS, exact.destinationCount());
            }
        }
    }

    static long number(Document doc, String field) {
        return ((Number) doc.get(field)).longValue();
    }
}
