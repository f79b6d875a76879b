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
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
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
 * A typed {@code .csv.gz} job with bad rows and {@code "onInvalid": "skip"}, killed with SIGKILL
 * midway: the second daemon resumes it (decompressing again and skipping the records of the
 * checkpoint), the destination equals the file's good rows exactly, and the rejected-records file
 * holds each bad row once.
 */
class CsvGzCrashResumeProcessTest {
    private static final int ROWS = 100_000;
    private static final Pattern RESUMED = Pattern.compile("gz: resuming after (\\d+) documents");

    @Test
    void aGzippedCsvJobKilledMidwayResumesExactlyAndRejectsEachBadRowOnce(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path confDir = conf.write();
            Path csv = conf.data().resolve("big.csv.gz");
            List<Document> expected = new ArrayList<>(ROWS);
            List<Integer> badLines = new ArrayList<>();
            try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(csv)),
                    StandardCharsets.UTF_8))) {
                w.write("_id,name,score,ratio,active,address.zip,note\r\n");
                int line = 1;
                for (int i = 0; i < ROWS; i++) {
                    String note = i % 1000 == 0 ? "\"two\nlines, quoted\"" : "plain";
                    w.write(i + ",person-" + i + "," + (i * 7 % 1000) + "," + (i % 97) / 8.0 + "," + (i % 3 == 0) + ","
                            + String.format("%05d", i % 99_999) + "," + note + "\r\n");
                    line += note.contains("\n") ? 2 : 1;
                    expected.add(new Document("_id", i).append("name", "person-" + i).append("score", i * 7 % 1000)
                            .append("ratio", (i % 97) / 8.0).append("active", i % 3 == 0)
                            .append("address", new Document("zip", String.format("%05d", i % 99_999)))
                            .append("note", note.contains("\n") ? "two\nlines, quoted" : "plain"));
                    if (i % 10_000 == 5) {
                        w.write("bad-" + i + ",x,not-a-number,1.0,true,00000,plain\r\n");
                        badLines.add(++line);
                    }
                }
            }
            String job = "{\"source\": {\"type\": \"file\", \"path\": \"" + csv + "\", \"format\": \"csv\", \"types\": "
                    + "{\"score\": \"int\", \"ratio\": \"double\", \"active\": \"bool\", \"address.zip\": \"string\"}},"
                    + " \"destination\": {\"connection\": \"dest\", \"collection\": \"gz\"}, \"onInvalid\": \"skip\","
                    + " \"chunkSize\": 1000}";
            Spooler spool = new Spooler(conf.spool());
            Path checkpoint = conf.state().resolve("checkpoints").resolve("gz.checkpoint.json");

            try (FerryProcess first = FerryProcess.run(confDir, dir.resolve("first.log"))) {
                first.awaitLog("started (pid", Duration.ofSeconds(30));
                spool.drop("gz.json", job);
                Await.until(Duration.ofSeconds(60), () -> Files.exists(checkpoint) || !first.isAlive(), "a checkpoint of job gz");
                first.sigkill();
                assertEquals(137, first.awaitExit(Duration.ofSeconds(10)), "SIGKILL exit status");
            }
            assertTrue(Files.exists(conf.spool().resolve("active").resolve("gz.json")), "the job stays in active/");

            try (FerryProcess second = FerryProcess.run(confDir, dir.resolve("second.log"))) {
                Document result = spool.awaitDone("gz", Duration.ofSeconds(120));
                Matcher resumed = RESUMED.matcher(second.log());
                assertTrue(resumed.find(), "resumed from the checkpoint; log:\n" + second.log());
                assertTrue(Long.parseLong(resumed.group(1)) > 0, resumed.group());
                assertEquals((long) ROWS + badLines.size(), number(result, "documentsRead"), result.toJson());
                assertEquals((long) ROWS, number(result, "upserted") + number(result, "matched"), result.toJson());
                assertEquals((long) badLines.size(), number(result, "rejected"), result.toJson());
            }
            List<Long> rejectedLines = new ArrayList<>();
            for (String l : Files.readAllLines(conf.spool().resolve("done").resolve("gz.rejected.ndjson"))) {
                Document r = Document.parse(l);
                rejectedLines.add(((Number) r.get("line")).longValue());
                assertTrue(r.getString("reason").contains("column 3 (score): expected an int"), l);
            }
            assertEquals(badLines.stream().map(Integer::longValue).toList(), rejectedLines, "each bad row once, in order");
            try (MongoClient client = MongoClients.create(server.uri())) {
                Exactness.Report exact = Exactness.compare(expected, "_id",
                        List.of(client.getDatabase(Dataset.DATABASE).getCollection("gz"))).assertExact();
                assertEquals(ROWS, exact.destinationCount());
            }
        }
    }

    static long number(Document doc, String field) {
        return ((Number) doc.get(field)).longValue();
    }
}
