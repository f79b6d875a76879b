package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.Exactness;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5: systemd's stop (SIGTERM) during a job: the daemon checkpoints and exits within
 * {@code shutdown.timeoutSeconds}, leaves the job in active/ and no pid file; the next start finishes
 * the job with the destination equal to the source. And one daemon per state directory.
 */
class GracefulStopProcessTest {
    private static final int SHUTDOWN_SECONDS = 10;
    // JVM start-up is not part of the stop; this covers the pool and executor closes after the orchestrator
    private static final Duration JVM_MARGIN = Duration.ofSeconds(5);
    private static final Duration START = Duration.ofSeconds(30);
    // 30 chunks: long enough to be stopped in the middle, short enough for a loaded 2-core machine
    private static final int DOCUMENTS = 30_000;

    @Test
    void sigtermCheckpointsTheRunningJobExitsInTimeAndARestartFinishesIt(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri()).set("shutdown.timeoutSeconds", "" + SHUTDOWN_SECONDS);
            Path confDir = conf.write();
            Dataset data = Dataset.write(conf.data().resolve("big.ndjson"), DOCUMENTS);
            Spooler spool = new Spooler(conf.spool());
            Path checkpoint = conf.state().resolve("checkpoints").resolve("big.checkpoint.json");
            Path pidFile = conf.state().resolve(StateDir.PID_FILE);

            try (FerryProcess first = FerryProcess.run(confDir, dir.resolve("first.log"))) {
                first.awaitLog("started (pid", START);
                assertEquals(first.pid() + "", Files.readString(pidFile).trim(), "pid file names the daemon");
                spool.drop("big.json", data.upsertJob("big"));
                Await.until(Duration.ofSeconds(30), () -> Files.exists(checkpoint) || !first.isAlive(),
                        "a checkpoint of job big");
                first.sigterm();
                int exit = first.awaitExit(Duration.ofSeconds(SHUTDOWN_SECONDS).plus(JVM_MARGIN));
                // the JVM's status for a SIGTERM that shutdown hooks handled: 128 + 15
                assertEquals(143, exit, "exit status after SIGTERM; log:\n" + first.log());
                String log = first.log();
                assertTrue(log.contains("big: stopped after"), "the job stopped at a chunk boundary; log:\n" + log);
                assertTrue(log.contains("ferry stopped"), log);
            }
            assertTrue(Files.exists(conf.spool().resolve("active").resolve("big.json")), "the job stays in active/");
            assertTrue(Files.exists(checkpoint), "with its checkpoint");
            assertFalse(Files.exists(pidFile), "the pid file is removed");
            assertFalse(Files.exists(conf.state().resolve("jmx.local")), "the local JMX endpoint is removed");
            long atStop = Dataset.count(server.uri(), "big");
            assertTrue(atStop < data.size, "stopped midway, with " + atStop + " documents written");

            try (FerryProcess second = FerryProcess.run(confDir, dir.resolve("second.log"))) {
                Document result = spool.awaitDone("big", Duration.ofSeconds(60));
                assertTrue(second.log().contains("big: resuming after"), second.log());
                assertEquals(DOCUMENTS, CrashResumeProcessTest.number(result, "documentsRead"));
            }
            // count, no duplicate or missing _id, and the documents' content equal to the source's
            Exactness.Report exact = data.compareWith(server.uri(), "big").assertExact();
            assertEquals(DOCUMENTS, exact.destinationCount());
        }
    }

    @Test
    void aSecondDaemonOnTheSameStateDirExitsTwoNamingTheStateDirAndTheOtherPid(@TempDir Path dir) {
        FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:1");
        Path confDir = conf.write();
        try (FerryProcess first = FerryProcess.run(confDir, dir.resolve("first.log"))) {
            first.awaitLog("started (pid", START);
            FerryProcess.Result second = FerryProcess.command(Duration.ofSeconds(60), "run", "--conf", confDir.toString());
            assertEquals(2, second.exitCode(), second.stderr());
            assertTrue(second.stderr().contains(conf.state().toString()), second.stderr());
            assertTrue(second.stderr().contains("pid " + first.pid()), second.stderr());
            assertEquals(1, second.stderr().strip().lines().count(), "one line: " + second.stderr());
            assertTrue(first.isAlive(), "the first daemon keeps running");
            assertEquals(first.pid() + "", readPid(conf), "the pid file still names the first daemon");
        }
    }

    private static String readPid(FerryConf conf) {
        try {
            return Files.readString(conf.state().resolve(StateDir.PID_FILE)).trim();
        } catch (java.io.IOException e) {
            return "<no pid file: " + e + ">";
        }
    }
}
