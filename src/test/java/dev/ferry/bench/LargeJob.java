package dev.ferry.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.testing.Await;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.bson.Document;

/**
 * Benchmark 5: {@code ferry run} as its own process with {@code -Xmx96m} syncs a large NDJSON file
 * into a destination server that lives in this JVM; peak RSS is the child's {@code VmHWM}.
 */
final class LargeJob {
    private LargeJob() {
    }

    record Outcome(boolean completed, long documents, double seconds, long peakRssKb, String detail) {
    }

    static Outcome run(Path dir, Path file, long documents, String heap) {
        return run(dir, file, documents, heap, "{\"type\": \"file\", \"path\": \"" + file + "\", \"format\": \"ndjson\"}",
                null);
    }

    /**
     * As {@link #run(Path, Path, long, String)} with the job's {@code source} given whole; {@code check},
     * when not null, looks at one stored document and returns "" or what is wrong with it.
     */
    static Outcome run(Path dir, Path file, long documents, String heap, String sourceJson,
            java.util.function.Function<Document, String> check) {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri())
                    .set("source.file.allowedDirs", file.getParent().toString());
            Path log = dir.resolve("ferry.log");
            try (FerryProcess ferry = FerryProcess.run(conf.write(), log, heap)) {
                ferry.awaitLog("started", Duration.ofSeconds(60));
                Spooler spool = new Spooler(conf.spool());
                long t0 = System.nanoTime();
                spool.drop("large.json", "{\"source\": " + sourceJson + ", \"destination\": {\"connection\": \"dest\", \"collection\": "
                        + "\"large\"}, \"chunkSize\": 1000}");
                Path done = conf.spool().resolve("done").resolve("large.result.json");
                Path failed = conf.spool().resolve("failed").resolve("large.error.json");
                Await.until(Duration.ofMinutes(10), () -> Files.exists(done) || Files.exists(failed) || !ferry.isAlive(),
                        "the large job to finish");
                double seconds = (System.nanoTime() - t0) / 1e9;
                long hwm = peakRssKb(ferry.pid());
                if (!Files.exists(done)) {
                    String why = Files.exists(failed) ? Files.readString(failed) : "ferry exited: " + tail(ferry.log());
                    return new Outcome(false, 0, seconds, hwm, why);
                }
                long read = ((Number) Document.parse(Files.readString(done)).get("documentsRead")).longValue();
                long stored;
                String wrong = "";
                try (MongoClient client = MongoClients.create(server.uri())) {
                    var large = client.getDatabase("ferrytest").getCollection("large");
                    stored = large.countDocuments();
                    if (check != null) {
                        Document one = large.find(new Document("_id", documents / 2)).first();
                        wrong = one == null ? "document " + documents / 2 + " is missing" : check.apply(one);
                    }
                }
                ferry.sigterm();
                ferry.awaitExit(Duration.ofSeconds(30));
                boolean ok = read == documents && stored == documents && wrong.isEmpty();
                return new Outcome(ok, stored, seconds, hwm, ok ? "" : "read " + read + ", stored " + stored + " " + wrong);
            }
        } catch (IOException e) {
            return new Outcome(false, 0, 0, -1, e.toString());
        }
    }

    /** The kernel's high-water mark of the process's resident set, in kB; -1 if unknown. */
    static long peakRssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static String tail(String log) {
        return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
    }
}
