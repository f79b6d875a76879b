package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.testing.Await;
import dev.ferry.testing.DelayProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryJmx;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import javax.management.ObjectName;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 item 1: the configuration reloaded while a 300,000-document job runs, through {@code ferry ctl reload}
 * and SIGHUP, as an operator does it (docs/operations.md, "Reloading the configuration").
 */
class ReloadProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final ObjectName DAEMON = MBeanRegistrar.name("Daemon");
    private static final ObjectName ORCHESTRATOR = MBeanRegistrar.name("Orchestrator");

    @Test
    void aReloadChangesPoolsAndWorkersWhileAJobRunsAndAnInvalidFileChangesNothing(@TempDir Path dir) throws IOException {
        try (TestMongoServer server = new TestMongoServer();
             TestMongoServer other = new TestMongoServer();
             // 10 ms each way: the job's 600 chunks take long enough to reload under it several times
             DelayProxy distant = new DelayProxy("127.0.0.1", server.port(), Duration.ofMillis(20))) {
            FerryConf conf = new FerryConf(dir, distant.uri()).set("connection.dest.maxPoolSize", "10");
            String c = conf.write().toString();
            Dataset data = Dataset.write(conf.data().resolve("big.ndjson"), 300_000);
            Spooler spool = new Spooler(conf.spool());
            try (FerryProcess ferry = FerryProcess.run(Path.of(c), dir.resolve("ferry.log"))) {
                ferry.awaitLog("started (pid", WAIT);
                spool.drop("big.json", "{\"source\": {\"type\": \"file\", \"path\": \"" + data.file + "\", \"format\":"
                        + " \"ndjson\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"big\"},"
                        + " \"chunkSize\": 500, \"lanes\": 2}");
                try (FerryJmx jmx = FerryJmx.connect(conf.state())) {
                    ObjectName job = MBeanRegistrar.name("Job", "big");
                    Await.until(WAIT, () -> jmx.exists(job) && (Long) jmx.attribute(job, "DocumentsWritten") > 0,
                            "the job writes");
                    String loadedAt = (String) jmx.attribute(DAEMON, "ConfigLoadedAt");

                    // 1. through ferry ctl reload: a pool option changed, a connection added, more workers
                    conf.set("connection.dest.maxPoolSize", "7").set("connection.extra.uri", other.uri())
                            .set("connection.extra.database", "ferrytest").set("workers", "6").write();
                    FerryProcess.Result reload = FerryProcess.command(COMMAND, "ctl", "--conf", c, "reload");
                    assertEquals(0, reload.exitCode(), reload.stdout() + reload.stderr());
                    assertTrue(reload.stdout().contains("applied workers"), reload.stdout());
                    assertTrue(reload.stdout().contains("connection(s) added: extra"), reload.stdout());
                    assertTrue(reload.stdout().contains("connection(s) changed: dest"), reload.stdout());
                    assertTrue(((String) jmx.attribute(DAEMON, "ConfigLoadedAt")).compareTo(loadedAt) > 0,
                            "ConfigLoadedAt moves with a reload that applied");
                    assertEquals(7, jmx.attribute(MBeanRegistrar.name("Pool", "dest"), "MaxPoolSize"));
                    assertEquals(6, jmx.attribute(ORCHESTRATOR, "Workers"));
                    assertTrue(jmx.exists(MBeanRegistrar.name("Pool", "extra")));
                    assertTrue(Arrays.asList((String[]) jmx.attribute(MBeanRegistrar.name("Pools"), "ConnectionNames"))
                            .contains("extra"));
                    assertEquals(1L, jmx.attribute(DAEMON, "Reloads"));
                    assertTrue(FerryProcess.command(COMMAND, "status", "--conf", c).stdout()
                            .contains("daemon: running (pid " + ferry.pid() + ")"), "the same process");
                    assertTrue(jmx.exists(job), "the running job goes on");
                    spool.drop("small.json", inlineJob("small", "extra"));
                    assertEquals(2, spool.awaitDone("small", WAIT).get("documentsRead", Number.class).intValue());
                    assertEquals(2, Dataset.count(other.uri(), "small"));

                    // 2. an invalid file: exit 2 naming file, line and key; nothing changed
                    loadedAt = (String) jmx.attribute(DAEMON, "ConfigLoadedAt");
                    conf.set("workers", "zero").write();
                    FerryProcess.Result refused = FerryProcess.command(COMMAND, "ctl", "--conf", c, "reload");
                    assertEquals(2, refused.exitCode(), refused.stdout() + refused.stderr());
                    assertTrue(refused.stderr().contains("reload refused, nothing changed"), refused.stderr());
                    assertTrue(refused.stderr().contains("ferry.properties:"), refused.stderr());
                    assertTrue(refused.stderr().contains("workers"), refused.stderr());
                    assertEquals(6, jmx.attribute(ORCHESTRATOR, "Workers"));
                    assertEquals(loadedAt, jmx.attribute(DAEMON, "ConfigLoadedAt"));
                    assertTrue(((String) jmx.attribute(DAEMON, "LastReload")).contains("refused"));
                    assertEquals(1L, jmx.attribute(DAEMON, "ReloadsRefused"));

                    // 3. SIGHUP, as systemctl reload sends it: fewer workers, extra removed, a restart-only key
                    conf.set("workers", "3").set("spool.dir", dir.resolve("elsewhere").toString());
                    conf.remove("connection.extra.uri").remove("connection.extra.database").write();
                    ferry.sighup();
                    Await.until(WAIT, () -> Long.valueOf(2).equals(jmx.attribute(DAEMON, "Reloads")), "SIGHUP reloads");
                    assertEquals(3, jmx.attribute(ORCHESTRATOR, "Workers"));
                    String last = (String) jmx.attribute(DAEMON, "LastReload");
                    assertTrue(last.contains("spool.dir: needs a restart"), last);
                    assertTrue(last.contains("connection(s) removed: extra"), last);
                    assertFalse(jmx.exists(MBeanRegistrar.name("Pool", "extra")));
                    spool.drop("gone.json", inlineJob("gone", "extra"));
                    Document error = spool.awaitFailed("gone", WAIT);
                    assertEquals("unknown-connection", error.getString("kind"), error.toJson());

                    // 4. an invalid file through SIGHUP: the journal says why, the daemon runs on unchanged
                    conf.set("connection.dest.maxPoolSize", "-1").write();
                    ferry.sighup();
                    ferry.awaitLog("connection.dest.maxPoolSize: must be at least 1, was '-1'", WAIT);
                    assertTrue(ferry.log().contains("reload refused, nothing changed"), "the journal says it");
                    assertEquals(7, jmx.attribute(MBeanRegistrar.name("Pool", "dest"), "MaxPoolSize"));
                    assertTrue(ferry.isAlive());
                }
                Document result = spool.awaitDone("big", WAIT);
                assertEquals(300_000, result.get("documentsRead", Number.class).intValue(), result.toJson());
                data.compareWith(server.uri(), "big").assertExact();
                assertTrue(ferry.isAlive());
                assertEquals(1, ferry.log().split("started \\(pid", -1).length - 1, "one start: the process stayed");
            }
        }
    }

    /** systemd may send HUP while the daemon starts (a restart, then a reload): it reloads once up, never exits. */
    @Test
    void aHangUpWhileTheDaemonStartsReloadsOnceItIsUp(@TempDir Path dir) {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri()).set("connection.local.uri", "embedded:");
            String c = conf.write().toString();
            try (FerryProcess ferry = FerryProcess.run(Path.of(c), dir.resolve("ferry.log"))) {
                ferry.awaitLog("embedded store (in memory) listening", WAIT); // the daemon is starting
                conf.set("workers", "2").write();
                ferry.sighup();
                ferry.awaitLog("started (pid", WAIT);
                ferry.awaitLog("reloaded " + Path.of(c).resolve("ferry.properties") + ": applied workers", WAIT);
                assertTrue(ferry.isAlive(), ferry.log());
            }
        }
    }

    private static String inlineJob(String collection, String connection) {
        return "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1}, {\"_id\": 2}]},"
                + " \"destination\": {\"connection\": \"" + connection + "\", \"collection\": \"" + collection + "\"}}";
    }
}
