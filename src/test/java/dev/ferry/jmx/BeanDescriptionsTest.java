package dev.ferry.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What JConsole shows a person: every bean of the dev.ferry tree (a running job's included), read by a
 * plain JMX client, describes itself, every attribute, operation, parameter and notification in words
 * of its own, and names its parameters; JMX's defaults (the bean's "Information on the management
 * interface of the MBean", an attribute's own name, {@code p0}) fail the test.
 */
class BeanDescriptionsTest {
    private static final String DEFAULT_BEAN_DESCRIPTION = "Information on the management interface of the MBean";

    @Test
    void everyBeanAttributeOperationAndParameterIsDescribedInWords(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path data = JmxHarness.ndjson(conf, "slow", 5_000);
            try (JmxHarness jmx = new JmxHarness(conf)) {
                new Spooler(conf.spool()).drop("slow.json", JmxHarness.fileJob(data, "slow", 100));
                jmx.awaitJobChunks("slow", 1, Duration.ofSeconds(30));
                jmx.invoke(JmxHarness.ORCHESTRATOR, "pause");

                List<String> problems = new ArrayList<>();
                Set<String> types = new TreeSet<>();
                for (ObjectName bean : jmx.query(JmxHarness.ALL)) {
                    types.add(bean.getKeyProperty("type"));
                    check(jmx.connection().getMBeanInfo(bean), bean, problems);
                }
                assertEquals(Set.of("Daemon", "Job", "Orchestrator", "Pool", "Pools"), types, "the walk saw every kind of bean");
                assertEquals(List.of(), problems, "JMX default words that a person would see in JConsole");
                jmx.invoke(JmxHarness.ORCHESTRATOR, "resume");
            }
        }
    }

    private static void check(MBeanInfo info, ObjectName bean, List<String> problems) {
        if (bad(info.getDescription(), DEFAULT_BEAN_DESCRIPTION) || info.getDescription().equals(info.getClassName())) {
            problems.add(bean + ": bean description '" + info.getDescription() + "'");
        }
        for (MBeanAttributeInfo a : info.getAttributes()) {
            if (bad(a.getDescription(), a.getName())) {
                problems.add(bean + " attribute " + a.getName() + ": '" + a.getDescription() + "'");
            }
        }
        for (MBeanOperationInfo o : info.getOperations()) {
            if (bad(o.getDescription(), o.getName())) {
                problems.add(bean + " operation " + o.getName() + ": '" + o.getDescription() + "'");
            }
            MBeanParameterInfo[] parameters = o.getSignature();
            for (int i = 0; i < parameters.length; i++) {
                MBeanParameterInfo p = parameters[i];
                if (p.getName().matches("p\\d+")) {
                    problems.add(bean + " operation " + o.getName() + " parameter " + i + " is named " + p.getName());
                }
                if (bad(p.getDescription(), p.getName())) {
                    problems.add(bean + " operation " + o.getName() + " parameter " + p.getName() + ": '"
                            + p.getDescription() + "'");
                }
            }
        }
        for (MBeanNotificationInfo n : info.getNotifications()) {
            if (bad(n.getDescription(), n.getName())) {
                problems.add(bean + " notification " + String.join(",", n.getNotifTypes()) + ": '"
                        + n.getDescription() + "'");
            }
        }
    }

    /** Blank, JMX's default, or a name repeated; real words are longer than a few characters. */
    private static boolean bad(String description, String defaultWords) {
        return description == null || description.isBlank() || description.equals(defaultWords)
                || description.matches("p\\d+") || description.length() < 12;
    }

    @Test
    void theCancelOperationAsksForAJobId(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer();
             JmxHarness jmx = new JmxHarness(new FerryConf(dir, server.uri()))) {
            MBeanOperationInfo cancel = List.of(jmx.connection().getMBeanInfo(JmxHarness.ORCHESTRATOR).getOperations())
                    .stream().filter(o -> o.getName().equals("cancel")).findFirst().orElseThrow();
            assertEquals("jobId", cancel.getSignature()[0].getName());
            assertEquals("java.lang.String", cancel.getSignature()[0].getType());
            assertTrue(cancel.getDescription().startsWith("stop the job once its chunks in flight are written"), cancel.getDescription());
        }
    }
}
