package dev.ferry.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.testing.Await;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.bson.Document;

/**
 * One large job, the daemon a real process killed with SIGKILL at random points and restarted each time:
 * the destination ends equal to the source. The proxy's small latency only keeps the job long enough for
 * the kills to land in the middle of it.
 */
final class CrashScenario {
    private static final Duration LATENCY = Duration.ofMillis(10);
    private static final Duration START = Duration.ofSeconds(60);

    private CrashScenario() {
    }

    static ScenarioReport run(Path dir, Target target, int documents, int kills, long seed, String name,
                              String command) {
        Workload work = new Workload();
        List<Long> killedAt = new ArrayList<>();
        try (FaultProxy proxy = new FaultProxy(target.host(), target.port());
             MongoClient client = MongoClients.create(target.directUri())) {
            FerryConf conf = new FerryConf(dir, Target.through(proxy));
            Path confDir = conf.write();
            Spooler spool = new Spooler(conf.spool());
            Path file = work.ndjson(conf.data().resolve("crash.ndjson"), 0, documents);
            Workload.indexKeys(target.directUri(), List.of("crash"));
            MongoCollection<Document> dest = client.getDatabase(Workload.DATABASE).getCollection("crash");
            // kill points spread over the job: one random point in each of `kills` equal slices of its middle
            Random random = new Random(seed);
            long[] points = new long[kills];
            for (int i = 0; i < kills; i++) {
                double lo = 0.05 + 0.85 * i / kills;
                points[i] = (long) (documents * (lo + random.nextDouble() * 0.85 / kills));
            }
            proxy.setLatency(LATENCY);
            spool.drop("crash.json", Workload.fileJob("crash", file, "dest", "crash", 500));
            long started = System.nanoTime();
            for (int i = 0; i < kills; i++) {
                try (FerryProcess ferry = FerryProcess.run(confDir, dir.resolve("ferry-" + i + ".log"))) {
                    ferry.awaitLog("started", START);
                    long point = points[i];
                    Await.until(Duration.ofSeconds(120), () -> dest.estimatedDocumentCount() >= point || !ferry.isAlive(),
                            "the job to pass " + point + " documents");
                    ferry.sigkill();
                    ferry.awaitExit(Duration.ofSeconds(30));
                    assertTrue(spool.count("done") == 0, "the job was still running when killed; seed " + seed
                            + ", log:\n" + ferry.log());
                    killedAt.add(dest.estimatedDocumentCount());
                }
            }
            long retries;
            try (FerryProcess ferry = FerryProcess.run(confDir, dir.resolve("ferry-last.log"))) {
                Document result = spool.awaitDone("crash", Duration.ofSeconds(documents / 200 + 120));
                retries = ((Number) result.get("retries")).longValue();
                assertEquals(documents, ((Number) result.get("documentsRead")).longValue(), "documentsRead");
                ferry.sigterm();
                ferry.awaitExit(Duration.ofSeconds(30));
            }
            Duration time = Duration.ofNanos(System.nanoTime() - started);
            assertEquals(0, spool.count("active"), "jobs left in active/");
            return new ScenarioReport(name, 1, work.documents(), kills + " SIGKILLs at "
                    + killedAt.stream().map(String::valueOf).collect(Collectors.joining("/")) + " docs (seed " + seed
                    + ")", retries, time, work.compare(target.directUri(), List.of("crash")),
                    "real process, restarted after each kill", command).record();
        }
    }
}
