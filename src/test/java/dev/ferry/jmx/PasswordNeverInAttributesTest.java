package dev.ferry.jmx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.management.Descriptor;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanFeatureInfo;
import javax.management.MBeanInfo;
import javax.management.ObjectName;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password in a connection string never shows in JMX: not in any attribute of any bean (errors
 * included, after the connection failed), not in names, descriptions or descriptors.
 */
class PasswordNeverInAttributesTest {
    private static final String PASSWORD = "TopSecret123";

    @Test
    void aFailedConnectionWithAPasswordShowsItNowhereInJmx(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            // the embedded server knows no users: "secret" fails authentication (permanent), while
            // "unreachable" fails to connect (transient: its job retries, so its bean stays to be read)
            FerryConf conf = new FerryConf(dir, server.uri())
                    .set("connection.secret.uri", "mongodb://ferryuser:" + PASSWORD + "@127.0.0.1:" + server.port()
                            + "/secretdb?authSource=admin")
                    .set("connection.unreachable.uri", "mongodb://ferryuser:" + PASSWORD + "@127.0.0.1:1/secretdb")
                    .set("connection.unreachable.serverSelectionTimeoutMS", "500")
                    .set("retry.maxAttempts", "100");
            Spooler spool = new Spooler(conf.spool());
            try (JmxHarness jmx = new JmxHarness(conf)) {
                spool.drop("auth.json", job("secret"));
                spool.drop("down.json", job("unreachable"));
                Document error = spool.awaitFailed("auth", Duration.ofSeconds(30));
                ObjectName downJob = JmxHarness.job("down");
                Await.until(Duration.ofSeconds(30), () -> !lastError(jmx, downJob).isEmpty(), "the job's LastError");
                for (String connection : List.of("secret", "unreachable")) {
                    ObjectName pool = JmxHarness.pool(connection);
                    jmx.invoke(pool, "checkHealth");
                    Await.until(Duration.ofSeconds(30), () -> !lastError(jmx, pool).isEmpty(),
                            connection + "'s LastError");
                }
                String all = everything(jmx);

                assertFalse(all.contains(PASSWORD), all);
                assertTrue(all.contains("LastError=MongoSecurityException"), "the auth failure is shown: " + all);
                assertTrue(all.contains("type=Job,name=down"), "the retrying job's bean was read: " + all);
                assertTrue(all.contains("127.0.0.1:" + server.port() + "/secretdb"),
                        "Target names host and database: " + all);
                assertFalse(error.toJson().contains(PASSWORD), error.toJson());
                String errorFile = Files.readString(conf.spool().resolve("failed").resolve("auth.error.json"));
                assertFalse(errorFile.contains(PASSWORD), errorFile);
            }
        }
    }

    private static String job(String connection) {
        return "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1}]}, \"destination\": {\"connection\": \""
                + connection + "\", \"database\": \"secretdb\", \"collection\": \"c\"}}";
    }

    private static String lastError(JmxHarness jmx, ObjectName bean) {
        try {
            return String.valueOf(jmx.connection().getAttribute(bean, "LastError"));
        } catch (javax.management.InstanceNotFoundException e) {
            return ""; // the job ended between two calls
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Every name, description, descriptor field and attribute value of every ferry bean, as text. */
    private static String everything(JmxHarness jmx) throws Exception {
        StringBuilder out = new StringBuilder();
        for (ObjectName name : jmx.query(JmxHarness.ALL)) {
            MBeanInfo info;
            try {
                info = jmx.connection().getMBeanInfo(name);
            } catch (javax.management.InstanceNotFoundException e) {
                continue; // a job bean that went between query and read
            }
            out.append(name).append(' ').append(info.getClassName()).append(' ').append(info.getDescription());
            describe(out, info.getDescriptor());
            for (MBeanFeatureInfo feature : concat(info)) {
                out.append("\n  ").append(feature.getName()).append(' ').append(feature.getDescription());
                describe(out, feature.getDescriptor());
            }
            for (MBeanAttributeInfo attribute : info.getAttributes()) {
                Object value;
                try {
                    value = jmx.connection().getAttribute(name, attribute.getName());
                } catch (javax.management.InstanceNotFoundException e) {
                    break;
                }
                out.append("\n  ").append(attribute.getName()).append('=')
                        .append(value instanceof Object[] a ? Arrays.toString(a) : String.valueOf(value));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static MBeanFeatureInfo[] concat(MBeanInfo info) {
        MBeanFeatureInfo[] a = info.getAttributes();
        MBeanFeatureInfo[] o = info.getOperations();
        MBeanFeatureInfo[] all = Arrays.copyOf(a, a.length + o.length, MBeanFeatureInfo[].class);
        System.arraycopy(o, 0, all, a.length, o.length);
        return all;
    }

    private static void describe(StringBuilder out, Descriptor descriptor) {
        for (String field : descriptor.getFieldNames()) {
            out.append(' ').append(field).append('=').append(descriptor.getFieldValue(field));
        }
    }
}
