package dev.ferry.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Jobs write through a proxy that adds latency and cuts every connection every few seconds: every job
 * completes, the destination equals the source, and the retries show in the results.
 */
final class NetworkFaultScenario {
    static final Duration LATENCY = Duration.ofMillis(50);

    private NetworkFaultScenario() {
    }

    static ScenarioReport run(Path dir, Target target, int jobs, int documents, Duration cutEvery, String name,
                              String command) throws InterruptedException {
        Workload work = new Workload();
        List<String> ids = new ArrayList<>();
        List<String> collections = new ArrayList<>();
        try (FaultProxy proxy = new FaultProxy(target.host(), target.port())) {
            // without the driver's one silent retry of a write, every cut that hits a chunk shows as a ferry retry
            FerryConf conf = new FerryConf(dir, Target.through(proxy)).set("retry.maxAttempts", "20")
                    .set("connection.dest.retryWrites", "false");
            Spooler spool = new Spooler(conf.spool());
            int perJob = documents / jobs;
            List<String> texts = new ArrayList<>();
            for (int j = 0; j < jobs; j++) {
                String id = "net-" + j;
                Path file = work.ndjson(conf.data().resolve(id + ".ndjson"), (long) j * perJob, perJob);
                ids.add(id);
                collections.add("net" + j);
                texts.add(Workload.fileJob(id, file, "dest", "net" + j, 1000));
            }
            Workload.indexKeys(target.directUri(), collections);
            proxy.setLatency(LATENCY);
            AtomicInteger cutEvents = new AtomicInteger();
            long started = System.nanoTime();
            try (DaemonFixture daemon = new DaemonFixture(conf, null).start()) {
                Thread cutter = new Thread(() -> cutEvery(proxy, cutEvery, cutEvents), "fault-cutter");
                cutter.setDaemon(true);
                for (int j = 0; j < jobs; j++) {
                    spool.drop(ids.get(j) + ".json", texts.get(j));
                }
                cutter.start();
                try {
                    for (String id : ids) {
                        spool.awaitDone(id, Duration.ofSeconds(documents / 400 + 120));
                    }
                } finally {
                    cutter.interrupt();
                    cutter.join(5000);
                }
                Duration time = Duration.ofNanos(System.nanoTime() - started);
                long retries = Workload.retries(spool, ids);
                assertEquals(0, spool.count("failed"), "jobs in failed/");
                assertTrue(cutEvents.get() > 0, "the proxy cut connections during the run");
                assertTrue(retries > 0, "retries are reported in the results: " + retries);
                assertEquals(retries, daemon.daemon().orchestrator().getChunkRetries(),
                        "Orchestrator ChunkRetries equals the retries in the result files");
                return new ScenarioReport(name, jobs, work.documents(), cutEvents.get() + " cuts every "
                        + cutEvery.toSeconds() + " s (" + proxy.connectionsCut() + " connections reset), "
                        + LATENCY.toMillis() + " ms latency", retries, time,
                        work.compare(target.directUri(), collections), "", command).record();
            }
        }
    }

    private static void cutEvery(FaultProxy proxy, Duration period, AtomicInteger events) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(period.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            proxy.cutAll();
            events.incrementAndGet();
        }
    }
}
