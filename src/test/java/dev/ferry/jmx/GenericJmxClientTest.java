package dev.ferry.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ferry.testing.Await;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.ObjectName;
import javax.management.openmbean.ArrayType;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What JConsole or any generic JMX client sees while a job runs: every bean and attribute of
 * docs/monitoring.md's JMX section, each value an open type a client without ferry's classes can read, every operation
 * invocable; job beans go when the job ends, and every bean goes when the daemon stops.
 */
class GenericJmxClientTest {
    private static final List<String> POOLS_ATTRIBUTES = List.of("ConnectionNames", "OpenClients", "TotalLeases");
    private static final List<String> POOL_ATTRIBUTES = List.of("State", "Healthy", "Leases", "ConnectionsTotal",
            "ConnectionsInUse", "ConnectionsIdle", "WaitQueueSize", "MaxPoolSize", "MinPoolSize", "ConnectionsCreated",
            "ConnectionsClosed", "CheckoutFailures", "Resets", "Reconnects", "LastHealthCheck",
            "LastHealthLatencyMillis", "ConsecutiveHealthFailures", "LastError", "OpenedAt", "LastUsedAt", "Target");
    private static final List<String> DAEMON_ATTRIBUTES = List.of("Version", "StartedAt", "ConfigFile", "ConfigLoadedAt",
            "LastReload", "Reloads", "ReloadsRefused");
    private static final List<String> ORCHESTRATOR_ATTRIBUTES = List.of("Workers", "Paused", "QueuedJobs", "RunningJobs",
            "CompletedJobs", "FailedJobs", "DocumentsWritten", "ChunksWritten", "ChunkRetries", "RunningJobIds");
    private static final List<String> JOB_ATTRIBUTES = List.of("Source", "Destination", "State", "DocumentsWritten",
            "ChunksWritten", "Retries", "StartedAt", "LastError");
    private static final Set<String> TIME_ATTRIBUTES = Set.of("LastHealthCheck", "OpenedAt", "LastUsedAt", "StartedAt");
    private static final Set<String> POOL_STATES = Set.of("CLOSED", "OPEN", "DRAINING", "DOWN");
    /** Open types a client without ferry's classes can read; docs/monitoring.md promises no others. */
    private static final Set<OpenType<?>> ALLOWED_TYPES;

    static {
        try {
            ALLOWED_TYPES = Set.of(SimpleType.STRING, SimpleType.INTEGER, SimpleType.LONG, SimpleType.DOUBLE,
                    SimpleType.BOOLEAN,
                    ArrayType.getArrayType(SimpleType.STRING), new ArrayType<>(SimpleType.INTEGER, true),
                    new ArrayType<>(SimpleType.LONG, true), new ArrayType<>(SimpleType.BOOLEAN, true));
        } catch (javax.management.openmbean.OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Test
    void everyDocumentedBeanAttributeAndOperationWorksFromAGenericClient(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri())
                    .set("connection.spare.uri", "mongodb://127.0.0.1:1")
                    .set("connection.spare.database", "never");
            Path data = JmxHarness.ndjson(conf, "slow", 20_000);
            try (JmxHarness jmx = new JmxHarness(conf)) {
                new Spooler(conf.spool()).drop("slow.json", JmxHarness.fileJob(data, "slow", 100));
                jmx.awaitJobChunks("slow", 1, Duration.ofSeconds(30));
                // paused, the job keeps its bean until we have read it
                jmx.invoke(JmxHarness.ORCHESTRATOR, "pause");
                ObjectName jobBean = JmxHarness.job("slow");

                Map<String, Object> pools = readAll(jmx, JmxHarness.POOLS, POOLS_ATTRIBUTES);
                assertEquals(List.of("dest", "spare"), Arrays.asList((String[]) pools.get("ConnectionNames")));
                assertEquals(1, pools.get("OpenClients"));
                Map<String, Object> dest = readAll(jmx, JmxHarness.pool("dest"), POOL_ATTRIBUTES);
                assertEquals("OPEN", dest.get("State"));
                assertFalse(((String) dest.get("OpenedAt")).isEmpty(), "an open pool says since when");
                Map<String, Object> spare = readAll(jmx, JmxHarness.pool("spare"), POOL_ATTRIBUTES);
                assertEquals("CLOSED", spare.get("State"), "a configured connection never used has a CLOSED bean");
                assertEquals("", spare.get("OpenedAt"));
                assertEquals("mongodb://127.0.0.1:1/never", spare.get("Target"));
                Map<String, Object> orchestrator = readAll(jmx, JmxHarness.ORCHESTRATOR, ORCHESTRATOR_ATTRIBUTES);
                assertEquals(true, orchestrator.get("Paused"));
                assertEquals(List.of("slow"), Arrays.asList((String[]) orchestrator.get("RunningJobIds")));
                Map<String, Object> job = readAll(jmx, jobBean, JOB_ATTRIBUTES);
                assertTrue((Long) job.get("ChunksWritten") >= 1, job.toString());
                // paused, the job's lanes still record the chunks they had in flight: the figures settle, then agree
                Await.until(Duration.ofSeconds(30), () -> 100 * jmx.getLong(jobBean, "ChunksWritten")
                        == jmx.getLong(jobBean, "DocumentsWritten"), "documents and chunks of the paused job agree");

                invokeAll(jmx, JmxHarness.POOLS, "resetAll", "reapIdleNow", "checkHealthNow");
                for (String name : List.of("dest", "spare")) {
                    invokeAll(jmx, JmxHarness.pool(name), "reset", "checkHealth");
                }
                assertEquals(2L, jmx.getLong(JmxHarness.pool("dest"), "Resets") - (Long) dest.get("Resets"),
                        "resetAll and reset each count one reset");
                assertEquals("CLOSED", jmx.get(JmxHarness.pool("spare"), "State"),
                        "reset and health check must not open a client nobody asked for");
                invokeAll(jmx, JmxHarness.ORCHESTRATOR, "rescan");
                assertNotFound((javax.management.openmbean.CompositeData) jmx.invoke(JmxHarness.ORCHESTRATOR, "cancel", "nope"));
                assertNotFound((javax.management.openmbean.CompositeData) jmx.invoke(JmxHarness.ORCHESTRATOR, "retry", "nope"));
                assertTrue(jmx.isRegistered(jobBean), "a cancel of another id leaves the job alone");
                invokeAll(jmx, JmxHarness.ORCHESTRATOR, "resume");
                assertEquals(false, jmx.get(JmxHarness.ORCHESTRATOR, "Paused"));

                new Spooler(conf.spool()).awaitDone("slow", Duration.ofSeconds(60));
                Await.until(Duration.ofSeconds(5), () -> jmx.query(JmxHarness.JOBS).isEmpty(),
                        "the job's bean to go when the job ends");
                assertEquals(20_000L, jmx.getLong(JmxHarness.ORCHESTRATOR, "DocumentsWritten"));
                assertEquals(1L, jmx.getLong(JmxHarness.ORCHESTRATOR, "CompletedJobs"));
                assertEquals(0, ((String[]) jmx.get(JmxHarness.ORCHESTRATOR, "RunningJobIds")).length);

                ObjectName daemonBean = JmxHarness.name("dev.ferry:type=Daemon");
                Map<String, Object> daemon = readAll(jmx, daemonBean, DAEMON_ATTRIBUTES);
                assertEquals("", daemon.get("LastReload"), "no reload yet");
                javax.management.openmbean.CompositeData reload =
                        (javax.management.openmbean.CompositeData) jmx.invoke(daemonBean, "reload");
                assertEquals(true, reload.get("ok"), reload.toString());
                assertTrue(((String) reload.get("message")).endsWith(": nothing changed"), reload.toString());
                assertEquals(1L, jmx.getLong(daemonBean, "Reloads"));

                assertEquals(5, jmx.query(JmxHarness.ALL).size(), jmx.query(JmxHarness.ALL).toString());
                jmx.daemon().stop();
                assertEquals(Set.of(), jmx.query(JmxHarness.ALL), "every ferry bean goes when the daemon stops");
            }
        }
    }

    /** Reads every attribute the bean declares, checks docs/monitoring.md's are among them and all are open. */
    private static Map<String, Object> readAll(JmxHarness jmx, ObjectName bean, List<String> documented)
            throws Exception {
        MBeanInfo info = jmx.connection().getMBeanInfo(bean);
        Map<String, Object> values = new HashMap<>();
        for (MBeanAttributeInfo attribute : info.getAttributes()) {
            String name = attribute.getName();
            Object openType = attribute.getDescriptor().getFieldValue("openType");
            assertTrue(ALLOWED_TYPES.contains(openType), bean + " " + name + " has type " + openType);
            Object value = jmx.get(bean, name);
            assertTrue(((OpenType<?>) openType).isValue(value), bean + " " + name + " = " + value);
            assertTrue(value.getClass().getName().startsWith("java.") || value.getClass().isArray(),
                    bean + " " + name + " is a " + value.getClass());
            values.put(name, value);
        }
        for (String name : documented) {
            if (!values.containsKey(name)) {
                fail(bean + " lacks attribute " + name + " (has " + values.keySet() + ")");
            }
            Object value = values.get(name);
            if (value instanceof Number n && !name.equals("LastHealthLatencyMillis")) {
                assertTrue(n.longValue() >= 0, bean + " " + name + " = " + n);
            }
            if (TIME_ATTRIBUTES.contains(name) && !((String) value).isEmpty()) {
                try {
                    Instant.parse((String) value);
                } catch (DateTimeParseException e) {
                    fail(bean + " " + name + " is not ISO-8601: " + value);
                }
            }
        }
        if (values.containsKey("LastHealthLatencyMillis")) {
            long latency = (Long) values.get("LastHealthLatencyMillis");
            // -1 stands for "never checked", and only then
            assertTrue(latency >= 0 || latency == -1 && values.get("LastHealthCheck").equals(""),
                    bean + " LastHealthLatencyMillis = " + latency);
        }
        if (bean.getKeyProperty("type").equals("Pool")) {
            assertTrue(POOL_STATES.contains(values.get("State")), bean + " State = " + values.get("State"));
        }
        return values;
    }

    /** Invokes parameterless operations, checking the bean declares each one. */
    private static void invokeAll(JmxHarness jmx, ObjectName bean, String... operations) throws Exception {
        MBeanInfo info = jmx.connection().getMBeanInfo(bean);
        for (String operation : operations) {
            assertTrue(Arrays.stream(info.getOperations()).map(MBeanOperationInfo::getName)
                    .anyMatch(operation::equals), bean + " lacks operation " + operation);
            jmx.invoke(bean, operation);
        }
    }

    /** Operations answer with a typed result a generic client reads without ferry's classes. */
    private static void assertNotFound(javax.management.openmbean.CompositeData answer) {
        assertEquals("NOT_FOUND", answer.get("outcome"), answer.toString());
        assertEquals(Boolean.FALSE, answer.get("ok"));
        assertTrue(((String) answer.get("message")).contains("nope"), answer.toString());
    }
}
