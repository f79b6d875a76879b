package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Sorts;
import com.mongodb.connection.ServerDescription;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {
    private TestMongoServer server;
    private FaultProxy proxy;
    private final List<MongoClient> clients = new ArrayList<>();

    @BeforeEach
    void setUp() {
        server = new TestMongoServer();
        proxy = new FaultProxy("127.0.0.1", server.port());
    }

    @AfterEach
    void tearDown() {
        clients.forEach(MongoClient::close);
        proxy.close();
        server.close();
    }

    private MongoClient client(Duration serverSelectionTimeout) {
        return client(serverSelectionTimeout, Duration.ofMillis(500));
    }

    /**
     * A long heartbeat keeps the driver's monitor from noticing a cut by itself, so that the test decides
     * which operation meets the dead connection.
     */
    private MongoClient client(Duration serverSelectionTimeout, Duration heartbeat) {
        MongoClientSettings settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(proxy.uri()))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(
                        serverSelectionTimeout.toMillis(), TimeUnit.MILLISECONDS))
                // the driver's fastest heartbeat, so a recovered server is noticed within a test's patience
                .applyToServerSettings(b -> b.heartbeatFrequency(heartbeat.toMillis(), TimeUnit.MILLISECONDS))
                .applyToSocketSettings(b -> b.connectTimeout(2, TimeUnit.SECONDS))
                .build();
        MongoClient c = MongoClients.create(settings);
        clients.add(c);
        return c;
    }

    private static Document ping(MongoClient c) {
        return c.getDatabase("admin").runCommand(new Document("ping", 1));
    }

    @Test
    void forwardsTenThousandDocumentsBothWays() {
        MongoCollection<Document> docs = client(Duration.ofSeconds(5)).getDatabase("t").getCollection("docs");
        String padding = "x".repeat(500);
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            batch.add(new Document("_id", i).append("n", "doc-" + i).append("pad", padding));
            if (batch.size() == 1000) {
                docs.insertMany(batch);
                batch = new ArrayList<>();
            }
        }

        assertEquals(10_000, docs.countDocuments());
        int expected = 0;
        for (Document d : docs.find().sort(Sorts.ascending("_id")).batchSize(2000)) {
            assertEquals(expected, d.getInteger("_id"));
            assertEquals("doc-" + expected, d.getString("n"));
            assertEquals(padding, d.getString("pad"));
            expected++;
        }
        assertEquals(10_000, expected);
        // 10,000 docs of ~0.5 KB went up and came back down through the proxy
        assertTrue(proxy.bytesForwarded() > 2 * 10_000 * 500L, "bytes forwarded: " + proxy.bytesForwarded());
        assertTrue(proxy.connectionsAccepted() >= 1);
        assertEquals(0, proxy.connectionsCut());
    }

    @Test
    void latencyDelaysARoundTripInEachDirection() {
        MongoClient c = client(Duration.ofSeconds(5));
        ping(c); // connect and handshake before timing

        proxy.setLatency(Duration.ofMillis(50));
        long start = System.nanoTime();
        ping(c);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        // request delayed once, response delayed once
        assertTrue(tookMs >= 100, "ping took " + tookMs + " ms with 50 ms latency per direction");

        proxy.setLatency(Duration.ZERO);
        assertEquals(1.0, ping(c).get("ok", Number.class).doubleValue());
    }

    @Test
    void cutAllFailsTheNextOperationThenTheDriverReconnects() {
        MongoClient c = client(Duration.ofSeconds(5), Duration.ofSeconds(30));
        MongoCollection<Document> docs = c.getDatabase("t").getCollection("docs");
        docs.insertOne(new Document("_id", 1));
        Await.until(Duration.ofSeconds(5), () -> proxy.openConnections() >= 2, "monitor and pooled connection open");

        int cut = proxy.cutAll();

        assertTrue(cut >= 2, "cut " + cut);
        assertEquals(cut, proxy.connectionsCut());
        assertEquals(0, proxy.openConnections());
        // a write on a standalone server is not retryable: the reset reaches the caller
        assertThrows(MongoSocketException.class, () -> docs.insertOne(new Document("_id", 2)));
        docs.insertOne(new Document("_id", 3));
        assertEquals(2, docs.countDocuments());
        assertTrue(proxy.openConnections() >= 1);
    }

    @Test
    void cutAllDuringAnOperationResetsIt() throws Exception {
        // the monitor stays quiet, so the only chunk the proxy can hold is the insert
        MongoClient c = client(Duration.ofSeconds(5), Duration.ofSeconds(30));
        MongoCollection<Document> docs = c.getDatabase("t").getCollection("docs");
        docs.insertOne(new Document("_id", 1));
        proxy.setLatency(Duration.ofSeconds(2));

        Thread cutter = new Thread(() -> {
            Await.until(Duration.ofSeconds(5), () -> proxy.chunksHeld() > 0, "the insert held by the proxy");
            proxy.cutAll();
        }, "test-cutter");
        cutter.start();
        long start = System.nanoTime();
        assertThrows(MongoSocketException.class, () -> docs.insertOne(new Document("_id", 2)));
        cutter.join(5000);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(tookMs < 2000, "the cut, not the latency, ended the insert after " + tookMs + " ms");
        proxy.setLatency(Duration.ZERO);
        // other connections (the driver's pool filling up) may forward bytes meanwhile; the
        // collection is what shows the held insert never reached the server
        assertEquals(1, docs.countDocuments(), "the held insert never reached the server");
    }

    @Test
    void stopThenStartOnTheSamePortIsAnOutageTheDriverRecoversFrom() {
        MongoClient c = client(Duration.ofSeconds(8));
        MongoCollection<Document> docs = c.getDatabase("t").getCollection("docs");
        docs.insertOne(new Document("_id", 1));
        int port = proxy.port();

        proxy.stop();

        assertEquals(0, proxy.openConnections());
        assertTrue(proxy.connectionsCut() >= 1);
        assertThrows(IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "a stopped proxy does not listen");
        Await.until(Duration.ofSeconds(5), () -> c.getClusterDescription().getServerDescriptions().stream()
                .noneMatch(ServerDescription::isOk), "the driver to see the server down");

        proxy.start();

        assertEquals(port, proxy.port());
        docs.insertOne(new Document("_id", 3));
        assertEquals(2, docs.countDocuments());
        assertTrue(proxy.openConnections() > 0, "the driver connected again");
    }

    @Test
    void aDownProxyMakesServerSelectionTimeOut() {
        MongoClient c = client(Duration.ofMillis(700));
        ping(c);
        proxy.stop();
        Await.until(Duration.ofSeconds(5), () -> c.getClusterDescription().getServerDescriptions().stream()
                .noneMatch(ServerDescription::isOk), "the driver to see the server down");

        MongoTimeoutException e = assertThrows(MongoTimeoutException.class, () -> ping(c));
        assertTrue(e.getMessage().contains("127.0.0.1:" + proxy.port()), e.getMessage());
    }

    @Test
    void refusedConnectionsAreResetAtOnce() throws Exception {
        proxy.refuseNewConnections(true);
        assertConnectionReset();
        assertEquals(1, proxy.connectionsRefused());
        assertEquals(0, proxy.connectionsAccepted());

        proxy.refuseNewConnections(false);
        proxy.refuseFor(Duration.ofSeconds(30));
        assertConnectionReset();
        assertEquals(2, proxy.connectionsRefused());

        proxy.refuseNewConnections(false);
        assertEquals(1.0, ping(client(Duration.ofSeconds(5))).get("ok", Number.class).doubleValue());
        assertTrue(proxy.connectionsAccepted() >= 1);
    }

    @Test
    void refusingMakesANewDriverFailFast() {
        proxy.refuseNewConnections(true);
        MongoClient c = client(Duration.ofSeconds(1));

        MongoTimeoutException e = assertThrows(MongoTimeoutException.class, () -> ping(c));

        assertTrue(e.getMessage().contains("MongoSocket"), e.getMessage());
        assertTrue(proxy.connectionsRefused() >= 1);
    }

    @Test
    void closeEndsEveryThreadAndIsIdempotent() {
        MongoClient c = client(Duration.ofSeconds(5));
        ping(c);
        c.getDatabase("t").getCollection("docs").insertOne(new Document("_id", 1));
        String prefix = proxy.threadNamePrefix();
        assertTrue(proxyThreads(prefix) >= 3, "acceptor and pumps run while connections are open");

        proxy.close();
        proxy.close();

        assertEquals(0, proxyThreads(prefix), "threads left: " + prefix);
        assertEquals(0, proxy.openConnections());
        assertThrows(IllegalStateException.class, proxy::start);
    }

    @Test
    void onlyLoopbackTargets() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FaultProxy("10.1.2.3", 27017));
        assertTrue(e.getMessage().contains("10.1.2.3"), e.getMessage());
    }

    private void assertConnectionReset() throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            s.setSoTimeout(2000);
            InputStream in = s.getInputStream();
            int read = in.read();
            fail("expected a reset, read " + read);
        } catch (java.net.SocketException expected) {
            assertTrue(expected.getMessage().contains("reset"), expected.getMessage());
        }
    }

    private static long proxyThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .count();
    }
}
