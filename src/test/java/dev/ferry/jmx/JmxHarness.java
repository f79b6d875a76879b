package dev.ferry.jmx;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.testing.Await;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A daemon in the test JVM on its own MBean server, and a generic JMX client connected to that
 * server over a loopback RMI connector: the client sees only names, attributes and open-type
 * values, as JConsole does. No ferry class is used to read.
 */
final class JmxHarness implements AutoCloseable {
    static final ObjectName POOLS = name("dev.ferry:type=Pools");
    static final ObjectName ORCHESTRATOR = name("dev.ferry:type=Orchestrator");
    static final ObjectName ALL = name("dev.ferry:*");
    static final ObjectName JOBS = name("dev.ferry:type=Job,*");

    private final MBeanServer mbeanServer = MBeanServerFactory.newMBeanServer();
    private final DaemonFixture daemon;
    private final JMXConnectorServer connectorServer;
    private final JMXConnector connector;
    private final MBeanServerConnection connection;
    private final Path spool;

    JmxHarness(FerryConf conf) throws IOException {
        this.spool = conf.spool();
        this.daemon = new DaemonFixture(conf, mbeanServer).start();
        this.connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://127.0.0.1"), null, mbeanServer);
        connectorServer.start();
        this.connector = JMXConnectorFactory.connect(connectorServer.getAddress());
        this.connection = connector.getMBeanServerConnection();
    }

    static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (JMException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static ObjectName pool(String connectionName) {
        return name("dev.ferry:type=Pool,name=" + connectionName);
    }

    static ObjectName job(String id) {
        return name("dev.ferry:type=Job,name=" + id);
    }

    MBeanServerConnection connection() {
        return connection;
    }

    DaemonFixture daemon() {
        return daemon;
    }

    Object get(ObjectName bean, String attribute) {
        try {
            return connection.getAttribute(bean, attribute);
        } catch (JMException | IOException e) {
            throw new AssertionError("cannot read " + bean + " " + attribute + ": " + e, e);
        }
    }

    long getLong(ObjectName bean, String attribute) {
        return ((Number) get(bean, attribute)).longValue();
    }

    /** Invokes an operation whose parameters are all strings, as JConsole would. */
    Object invoke(ObjectName bean, String operation, String... args) {
        String[] signature = new String[args.length];
        java.util.Arrays.fill(signature, String.class.getName());
        try {
            return connection.invoke(bean, operation, args, signature);
        } catch (JMException | IOException e) {
            throw new AssertionError("cannot invoke " + bean + " " + operation + ": " + e, e);
        }
    }

    Set<ObjectName> query(ObjectName pattern) {
        try {
            return connection.queryNames(pattern, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isRegistered(ObjectName bean) {
        try {
            return connection.isRegistered(bean);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the job's bean reports at least {@code chunks} written chunks; fails if the job ends first. */
    void awaitJobChunks(String id, long chunks, Duration timeout) {
        Path done = spool.resolve("done").resolve(id + ".json");
        Path failed = spool.resolve("failed").resolve(id + ".json");
        Await.until(timeout, () -> isRegistered(job(id)) && chunksOf(id) >= chunks || Files.exists(done)
                || Files.exists(failed), id + " has written " + chunks + " chunks");
        if (Files.exists(done) || Files.exists(failed)) {
            throw new AssertionError(id + " ended before its chunk " + chunks + ": the test needs a longer job");
        }
    }

    private long chunksOf(String id) {
        try {
            return ((Number) connection.getAttribute(job(id), "ChunksWritten")).longValue();
        } catch (JMException e) {
            return -1; // the job ended between the two calls
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code data/NAME.ndjson} with documents {@code _id} 0..count-1. */
    static Path ndjson(FerryConf conf, String name, int count) {
        Path file = conf.data().resolve(name + ".ndjson");
        try {
            Files.writeString(file, IntStream.range(0, count)
                    .mapToObj(i -> "{\"_id\": " + i + ", \"name\": \"n" + i + "\"}")
                    .collect(Collectors.joining("\n")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A job reading an ndjson file into collection {@code collection} of connection {@code dest}. */
    static String fileJob(Path ndjson, String collection, int chunkSize) {
        return "{\"source\": {\"type\": \"file\", \"path\": \"" + ndjson + "\", \"format\": \"ndjson\"},"
                + " \"destination\": {\"connection\": \"dest\", \"collection\": \"" + collection + "\"},"
                + " \"chunkSize\": " + chunkSize + "}";
    }

    /** Documents in {@code ferrytest.COLLECTION} of the server, read with a client of its own. */
    static long count(TestMongoServer server, String collection) {
        try (MongoClient client = MongoClients.create(server.uri())) {
            return client.getDatabase("ferrytest").getCollection(collection).countDocuments();
        }
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the test is over; a broken client connection changes nothing
        }
        daemon.close();
        try {
            connectorServer.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
