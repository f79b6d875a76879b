package dev.ferry.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Orchestrator and Pools beans' notifications, received over a JMX connector by a plain
 * {@code javax.management} listener that knows no ferry class: user data is a {@code CompositeData}.
 */
class NotificationsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aDoneAndAFailedJobAreAnnouncedWithIdKindAndMessage(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path good = JmxHarness.ndjson(conf, "good", 10);
            Path bad = conf.data().resolve("bad.ndjson");
            Files.writeString(bad, "{\"_id\": 1}\n{not json\n");
            try (JmxHarness jmx = new JmxHarness(conf)) {
                Received orchestrator = listen(jmx, JmxHarness.ORCHESTRATOR);
                assertEquals(Set.of("ferry.job.done", "ferry.job.failed", "ferry.job.resnapshot"),
                        declaredTypes(jmx, JmxHarness.ORCHESTRATOR));
                Spooler spool = new Spooler(conf.spool());

                spool.drop("good.json", JmxHarness.fileJob(good, "good", 4));
                Notification done = orchestrator.next("ferry.job.done");
                assertEquals(JmxHarness.ORCHESTRATOR, done.getSource());
                CompositeData data = (CompositeData) done.getUserData();
                assertEquals("good", data.get("id"));
                assertEquals("done", data.get("kind"));
                assertTrue(done.getMessage().startsWith("good: done: 10 documents"), done.getMessage());

                spool.drop("bad.json", JmxHarness.fileJob(bad, "bad", 4));
                Notification failed = orchestrator.next("ferry.job.failed");
                data = (CompositeData) failed.getUserData();
                assertEquals("bad", data.get("id"));
                assertEquals("source-error", data.get("kind"));
                assertTrue(((String) data.get("message")).contains("line 2"), data.toString());
                assertTrue(failed.getSequenceNumber() > done.getSequenceNumber());
            }
        }
    }

    @Test
    void aPoolGoingDownAndBackAndAResetAreAnnouncedByThePoolsBean(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer();
             FaultProxy proxy = new FaultProxy("127.0.0.1", server.port())) {
            FerryConf conf = new FerryConf(dir, proxy.uri()).set("health.failuresBeforeReconnect", "2");
            Path data = JmxHarness.ndjson(conf, "warm", 10);
            try (JmxHarness jmx = new JmxHarness(conf)) {
                Received pools = listen(jmx, JmxHarness.POOLS);
                assertEquals(Set.of("ferry.pool.down", "ferry.pool.up", "ferry.pool.reset"),
                        declaredTypes(jmx, JmxHarness.POOLS));
                Spooler spool = new Spooler(conf.spool());
                // health checks only ping an open client: a job opens it
                spool.drop("warm.json", JmxHarness.fileJob(data, "warm", 5));
                spool.awaitDone("warm", WAIT);

                jmx.invoke(JmxHarness.pool("dest"), "reset");
                CompositeData reset = (CompositeData) pools.next("ferry.pool.reset").getUserData();
                assertEquals("dest", reset.get("connection"));
                assertEquals("OPEN", reset.get("state"));

                proxy.refuseNewConnections(true);
                proxy.cutAll();
                Notification down = pools.next("ferry.pool.down");
                assertEquals(JmxHarness.POOLS, down.getSource());
                CompositeData downData = (CompositeData) down.getUserData();
                assertEquals("dest", downData.get("connection"));
                assertEquals("DOWN", downData.get("state"));
                assertTrue(down.getMessage().startsWith("dest: DOWN after 2 failed health checks"), down.getMessage());

                proxy.refuseNewConnections(false);
                CompositeData up = (CompositeData) pools.next("ferry.pool.up").getUserData();
                assertEquals("dest", up.get("connection"));
                assertEquals("OPEN", up.get("state"));
                assertEquals("OPEN", jmx.get(JmxHarness.pool("dest"), "State"));
            }
        }
    }

    private static Set<String> declaredTypes(JmxHarness jmx, ObjectName bean) throws Exception {
        MBeanNotificationInfo[] infos = jmx.connection().getMBeanInfo(bean).getNotifications();
        for (MBeanNotificationInfo info : infos) {
            assertTrue(info.getDescription() != null && info.getDescription().length() > 20, info.toString());
        }
        return Arrays.stream(infos).flatMap(i -> Arrays.stream(i.getNotifTypes())).collect(Collectors.toSet());
    }

    private static Received listen(JmxHarness jmx, ObjectName bean) throws Exception {
        Received received = new Received();
        jmx.connection().addNotificationListener(bean, received, null, null);
        return received;
    }

    @Test
    void aReloadAndARefusedReloadAreAnnouncedByTheDaemonBeanWithFileAndMessage(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            try (JmxHarness jmx = new JmxHarness(conf)) {
                ObjectName daemon = JmxHarness.name("dev.ferry:type=Daemon");
                Received received = listen(jmx, daemon);
                assertEquals(Set.of("ferry.config.reloaded", "ferry.config.rejected"), declaredTypes(jmx, daemon));
                String file = conf.dir().resolve("conf").resolve("ferry.properties").toString();

                conf.set("workers", "2").write();
                CompositeData result = (CompositeData) jmx.connection().invoke(daemon, "reload", null, null);
                assertEquals(true, result.get("ok"), result.toString());
                Notification reloaded = received.next("ferry.config.reloaded");
                CompositeData data = (CompositeData) reloaded.getUserData();
                assertEquals(file, data.get("file"));
                assertEquals("applied workers", data.get("message"));
                assertEquals(2, jmx.get(JmxHarness.ORCHESTRATOR, "Workers"));

                conf.set("workers", "two").write();
                result = (CompositeData) jmx.connection().invoke(daemon, "reload", null, null);
                assertEquals(false, result.get("ok"));
                assertEquals("REFUSED", result.get("outcome"));
                Notification rejected = received.next("ferry.config.rejected");
                data = (CompositeData) rejected.getUserData();
                assertEquals(file, data.get("file"));
                int line = java.nio.file.Files.readAllLines(Path.of(file)).indexOf("workers=two") + 1;
                assertTrue(((String) data.get("message")).startsWith(file + ":" + line + ": workers: must be a whole "
                        + "number"), data.toString());
                assertTrue(rejected.getMessage().startsWith("reload refused, nothing changed: "), rejected.getMessage());
                assertEquals(2, jmx.get(JmxHarness.ORCHESTRATOR, "Workers"), "nothing changed");
            }
        }
    }

    /** Notifications as they arrive; a test takes the next one of a type, skipping the others. */
    private static final class Received implements NotificationListener {
        private final BlockingQueue<Notification> queue = new LinkedBlockingQueue<>();

        @Override
        public void handleNotification(Notification notification, Object handback) {
            queue.add(notification);
        }

        Notification next(String type) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            List<String> skipped = new java.util.ArrayList<>();
            while (true) {
                Notification n = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                assertNotNull(n, "no " + type + " notification within " + WAIT + "; others: " + skipped);
                if (n.getType().equals(type)) {
                    return n;
                }
                skipped.add(n.getType() + " " + n.getMessage());
            }
        }
    }
}
