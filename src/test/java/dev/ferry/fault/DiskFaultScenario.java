package dev.ferry.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.bson.Document;

/**
 * A disk fault in the middle of a job: the job shows WAITING_FOR_DISK with an error naming what it could
 * not write, stays in active/, and completes exactly once the fault clears.
 */
final class DiskFaultScenario {
    private static final Duration LATENCY = Duration.ofMillis(20);

    private DiskFaultScenario() {
    }

    /**
     * @param fault built from the configuration (the directories are known only then)
     *              after the job's first checkpoint; a spool fault meets the job when it moves to done/
     */
    static ScenarioReport run(Path dir, Target target, int documents, Function<FerryConf, DiskFault> fault,
                              Duration hold, String name, String command) throws JMException, InterruptedException {
        Workload work = new Workload();
        MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
        ObjectName job = new ObjectName("dev.ferry:type=Job,name=disk");
        try (FaultProxy proxy = new FaultProxy(target.host(), target.port())) {
            FerryConf conf = new FerryConf(dir, Target.through(proxy));
            Spooler spool = new Spooler(conf.spool());
            Path file = work.ndjson(conf.data().resolve("disk.ndjson"), 0, documents);
            Workload.indexKeys(target.directUri(), List.of("disk"));
            DiskFault disk = fault.apply(conf);
            proxy.setLatency(LATENCY);
            long started = System.nanoTime();
            String lastError;
            long faultMillis;
            try (DaemonFixture daemon = new DaemonFixture(conf, mbeans).start()) {
                spool.drop("disk.json", Workload.fileJob("disk", file, "dest", "disk", 500));
                Path checkpoint = conf.state().resolve("checkpoints").resolve("disk.checkpoint.json");
                Await.until(Duration.ofSeconds(60), () -> Files.exists(checkpoint), "the first checkpoint");
                disk.inject();
                long injected = System.nanoTime();
                try {
                    Await.until(Duration.ofSeconds(120), () -> "WAITING_FOR_DISK".equals(attribute(mbeans, job, "State")),
                            "the job to report WAITING_FOR_DISK");
                    lastError = attribute(mbeans, job, "LastError");
                    assertTrue(lastError.startsWith("cannot "), "LastError says what could not be written: " + lastError);
                    assertTrue(Files.exists(conf.spool().resolve("active").resolve("disk.json")), "the job is kept in active/");
                    // the fault lasts a while, as a real one would: the job keeps waiting, it neither fails nor moves on
                    Thread.sleep(hold.toMillis());
                    assertEquals("WAITING_FOR_DISK", attribute(mbeans, job, "State"), "job state after " + hold);
                    assertTrue(Files.exists(conf.spool().resolve("active").resolve("disk.json")), "the job is kept in active/");
                    assertEquals(0, spool.count("failed"), "jobs in failed/");
                } finally {
                    disk.clear();
                }
                faultMillis = (System.nanoTime() - injected) / 1_000_000;
                Document result = spool.awaitDone("disk", Duration.ofSeconds(documents / 200 + 120));
                assertEquals(documents, ((Number) result.get("documentsRead")).longValue(), "documentsRead");
                Duration time = Duration.ofNanos(System.nanoTime() - started);
                return new ScenarioReport(name, 1, work.documents(), disk.describe() + " for " + faultMillis + " ms",
                        ((Number) result.get("retries")).longValue(), time,
                        work.compare(target.directUri(), List.of("disk")),
                        "job showed WAITING_FOR_DISK, LastError \"" + abbreviate(lastError) + "\"", command).record();
            }
        }
    }

    private static String attribute(MBeanServer mbeans, ObjectName name, String attribute) {
        try {
            return mbeans.isRegistered(name) ? String.valueOf(mbeans.getAttribute(name, attribute)) : null;
        } catch (JMException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace('|', '/').replaceAll("\\s+", " ");
        return oneLine.length() <= 90 ? oneLine : oneLine.substring(0, 87) + "...";
    }
}
