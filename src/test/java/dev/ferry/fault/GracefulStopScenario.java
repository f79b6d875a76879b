package dev.ferry.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.testing.Await;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * SIGTERM while several jobs run: the daemon exits within shutdown.timeoutSeconds, the jobs stay in
 * active/, and after a restart every one of them completes with the destination equal to the source.
 */
final class GracefulStopScenario {
    private static final Duration LATENCY = Duration.ofMillis(50);
    private static final int SHUTDOWN_TIMEOUT_SECONDS = 10;

    private GracefulStopScenario() {
    }

    static ScenarioReport run(Path dir, Target target, int jobs, int perJob, String name, String command) {
        Workload work = new Workload();
        List<String> ids = new ArrayList<>();
        List<String> collections = new ArrayList<>();
        try (FaultProxy proxy = new FaultProxy(target.host(), target.port());
             MongoClient client = MongoClients.create(target.directUri())) {
            FerryConf conf = new FerryConf(dir, Target.through(proxy)).set("workers", String.valueOf(jobs))
                    .set("shutdown.timeoutSeconds", String.valueOf(SHUTDOWN_TIMEOUT_SECONDS));
            Path confDir = conf.write();
            Spooler spool = new Spooler(conf.spool());
            for (int j = 0; j < jobs; j++) {
                String id = "term-" + j;
                ids.add(id);
                collections.add("term" + j);
                work.ndjson(conf.data().resolve(id + ".ndjson"), (long) j * perJob, perJob);
            }
            Workload.indexKeys(target.directUri(), collections);
            proxy.setLatency(LATENCY);
            long started = System.nanoTime();
            long stopMillis;
            int exitCode;
            try (FerryProcess ferry = FerryProcess.run(confDir, dir.resolve("ferry-1.log"))) {
                ferry.awaitLog("started", Duration.ofSeconds(60));
                for (int j = 0; j < jobs; j++) {
                    spool.drop(ids.get(j) + ".json", Workload.fileJob(ids.get(j),
                            conf.data().resolve(ids.get(j) + ".ndjson"), "dest", collections.get(j), 100));
                }
                Await.until(Duration.ofSeconds(60), () -> collections.stream().allMatch(c ->
                        client.getDatabase(Workload.DATABASE).getCollection(c).estimatedDocumentCount() > 0),
                        "every job to have written its first chunk");
                long term = System.nanoTime();
                ferry.sigterm();
                exitCode = ferry.awaitExit(Duration.ofSeconds(SHUTDOWN_TIMEOUT_SECONDS + 30));
                stopMillis = (System.nanoTime() - term) / 1_000_000;
                assertTrue(stopMillis <= SHUTDOWN_TIMEOUT_SECONDS * 1000L, "ferry took " + stopMillis
                        + " ms to stop, shutdown.timeoutSeconds is " + SHUTDOWN_TIMEOUT_SECONDS + "; log:\n" + ferry.log());
                assertTrue(ferry.log().contains("ferry stopped"), "log says it stopped:\n" + ferry.log());
            }
            long interrupted = spool.count("active");
            assertEquals(jobs, interrupted + spool.count("done"), "every job is in active/ or done/");
            assertTrue(interrupted > 0, "SIGTERM caught jobs in flight");
            try (FerryProcess ferry = FerryProcess.run(confDir, dir.resolve("ferry-2.log"))) {
                for (String id : ids) {
                    spool.awaitDone(id, Duration.ofSeconds(perJob / 100 + 120));
                }
                ferry.sigterm();
                ferry.awaitExit(Duration.ofSeconds(SHUTDOWN_TIMEOUT_SECONDS + 30));
            }
            Duration time = Duration.ofNanos(System.nanoTime() - started);
            assertEquals(0, spool.count("failed"), "jobs in failed/");
            return new ScenarioReport(name, jobs, work.documents(), "SIGTERM with " + interrupted
                    + " jobs running, " + LATENCY.toMillis() + " ms latency", Workload.retries(spool, ids), time,
                    work.compare(target.directUri(), collections), "stopped in " + stopMillis + " ms (limit "
                    + SHUTDOWN_TIMEOUT_SECONDS + " s, exit code " + exitCode + "); all " + interrupted
                    + " resumed and completed", command).record();
        }
    }
}
