package dev.ferry.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.ferry.concurrent.Executors2;
import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.testing.Await;
import dev.ferry.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS per connection against a server that really speaks TLS (mongo-java-server with a certificate
 * from a CA made here): trusted, untrusted CA, wrong host name, and the file errors an operator meets.
 */
class PoolTlsTest {
    private static TestCa ca;
    private static TestCa stranger;
    private static TestCa.Issued serverFor127;
    private static TestCa.Issued serverForOtherName;
    private static TestCa.Issued client;

    @TempDir
    Path dir;
    private MongoServer server;
    private PoolManager manager;
    private final ScheduledThreadPoolExecutor scheduler = Executors2.scheduler("tls-test-scheduler", 1);

    @BeforeAll
    static void makeCertificates() throws Exception {
        ca = new TestCa("ferry test CA");
        stranger = new TestCa("some other CA");
        serverFor127 = ca.server("127.0.0.1");
        serverForOtherName = ca.server("db.other.example");
        client = ca.client("ferry-client");
    }

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.close(Duration.ofSeconds(2));
        }
        Executors2.shutdown("tls-test-scheduler", scheduler, Duration.ofSeconds(5));
        if (server != null) {
            server.shutdownNow();
        }
    }

    private int tlsServer(TestCa.Issued certificate) {
        server = new MongoServer(new MemoryBackend());
        server.enableSsl(certificate.keys().getPrivate(), "", certificate.certificate(), ca.certificate());
        server.bind("127.0.0.1", 0);
        return server.getLocalAddress().getPort();
    }

    private ConnectionSettings connection(int port, String... keyValues) throws ConfigException {
        Properties props = new Properties();
        props.setProperty("connection.main.uri", "mongodb://127.0.0.1:" + port + "/app");
        props.setProperty("connection.main.serverSelectionTimeoutMS", "1500");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.setProperty("connection.main." + keyValues[i], keyValues[i + 1]);
        }
        return new ConfigLoader(Map.<String, String>of()::get).fromProperties(props, dir).connection("main").orElseThrow();
    }

    private PooledClient open(ConnectionSettings c) {
        PoolMaintenance timing = new PoolMaintenance(Duration.ofHours(1), 3, Duration.ofHours(1), Duration.ofHours(1),
                Duration.ofSeconds(5), Duration.ofSeconds(2));
        manager = new PoolManager(List.of(c), timing, ClientFactory.standard(), UriResolver.DIRECT, scheduler,
                Clock.systemUTC());
        manager.start();
        return manager.pool("main");
    }

    @Test
    void withItsOwnCaAndAnEncryptedClientKeyTheConnectionWritesAndReads() throws Exception {
        int port = tlsServer(serverFor127);
        Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        Path clientFile = TestCa.writeCertificateAndKey(client, dir.resolve("client.pem"), "k3y-pass");
        Files.writeString(dir.resolve("key-password"), "k3y-pass\n");
        ConnectionSettings c = connection(port, "tlsCAFile", caFile.toString(), "tlsCertificateKeyFile",
                clientFile.toString(), "tlsCertificateKeyFilePassword", "${file:" + dir.resolve("key-password") + "}");
        assertTrue(c.tls().orElseThrow().describe().contains("CAs from " + caFile), c.tls().get().describe());
        assertTrue(c.tls().get().describe().contains("CN=ferry-client"), c.tls().get().describe());
        assertFalse(c.tls().get().describe().contains("k3y-pass"));

        PooledClient pool = open(c);
        try (Lease lease = pool.lease()) {
            lease.client().getDatabase("app").getCollection("people").insertOne(new Document("_id", 1).append("name", "Ada"));
            assertEquals("Ada", lease.client().getDatabase("app").getCollection("people").find().first().getString("name"));
        }
        long handshake = TlsCheck.timeHandshake(c.tls().get(), pool.resolvedUri(), 5_000);
        assertTrue(handshake >= 0);
    }

    @Test
    void aServerSignedByAnotherCaIsRefusedAndTheErrorNamesTheCaFile() throws Exception {
        int port = tlsServer(serverFor127);
        Path strangerFile = stranger.writeCertificate(dir.resolve("other-ca.pem"));
        ConnectionSettings c = connection(port, "tlsCAFile", strangerFile.toString());
        PooledClient pool = open(c);
        assertThrows(com.mongodb.MongoTimeoutException.class, () -> {
            try (Lease lease = pool.lease()) {
                lease.database("admin").runCommand(new Document("ping", 1));
            }
        });
        Await.until(Duration.ofSeconds(10), () -> pool.lastError().contains("not signed by a CA"),
                "LastError explains the TLS failure: " + pool.lastError());
        assertTrue(pool.lastError().contains("connection.main.tlsCAFile (" + strangerFile + ")"), pool.lastError());
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> {
            try {
                TlsCheck.timeHandshake(c.tls().get(), pool.resolvedUri(), 5_000);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(TlsCheck.withHint(c, e.toString()), e);
            }
        });
        assertTrue(refused.getMessage().contains("not signed by a CA in connection.main.tlsCAFile"), refused.getMessage());
    }

    @Test
    void aCertificateForAnotherHostNameIsRefused() throws Exception {
        int port = tlsServer(serverForOtherName);
        Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        ConnectionSettings c = connection(port, "tlsCAFile", caFile.toString());
        PooledClient pool = open(c);
        assertThrows(com.mongodb.MongoTimeoutException.class, () -> {
            try (Lease lease = pool.lease()) {
                lease.database("admin").runCommand(new Document("ping", 1));
            }
        });
        Await.until(Duration.ofSeconds(10), () -> pool.lastError().contains("does not name the host"),
                "LastError explains the name mismatch: " + pool.lastError());
    }

    @Test
    void fileErrorsNameTheKeyAndTheFileAndNeverThePassword() throws Exception {
        Path missing = dir.resolve("missing.pem");
        ConfigException e = assertThrows(ConfigException.class, () -> connection(1, "tlsCAFile", missing.toString()));
        assertEquals("connection.main.tlsCAFile", e.key());
        assertTrue(e.getMessage().contains("cannot read " + missing + ": no such file"), e.getMessage());

        Path notPem = Files.writeString(dir.resolve("ca.txt"), "hello\n");
        e = assertThrows(ConfigException.class, () -> connection(1, "tlsCAFile", notPem.toString()));
        assertTrue(e.getMessage().contains(notPem + " holds no PEM certificate"), e.getMessage());

        Path clientFile = TestCa.writeCertificateAndKey(client, dir.resolve("client.pem"), "right-pass");
        e = assertThrows(ConfigException.class, () -> connection(1, "tlsCertificateKeyFile", clientFile.toString(),
                "tlsCertificateKeyFilePassword", "wrong-pass"));
        assertEquals("connection.main.tlsCertificateKeyFilePassword", e.key());
        assertTrue(e.getMessage().contains("cannot decrypt the private key in " + clientFile), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-pass") || e.getMessage().contains("right-pass"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> connection(1, "tlsCertificateKeyFile", clientFile.toString()));
        assertTrue(e.getMessage().contains("is encrypted"), e.getMessage());

        Path pkcs1 = Files.writeString(dir.resolve("old.pem"), ca.certificate().toString().isEmpty() ? ""
                : new String(Files.readAllBytes(ca.writeCertificate(dir.resolve("c.pem"))))
                        + "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        e = assertThrows(ConfigException.class, () -> connection(1, "tlsCertificateKeyFile", pkcs1.toString()));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8"), e.getMessage());
    }

    @Test
    void aCommandThatDoesNotOpenTheConnectionNeverReadsItsTlsFiles() throws Exception {
        Path rootOnly = dir.resolve("unreadable-for-this-command.pem");
        Properties props = new Properties();
        props.setProperty("connection.main.uri", "mongodb://db.example/app");
        props.setProperty("connection.main.tlsCAFile", rootOnly.toString());
        props.setProperty("connection.main.tlsCertificateKeyFile", rootOnly.toString());
        props.setProperty("connection.main.tlsCertificateKeyFilePassword", "${env:CREDENTIALS_DIRECTORY}");
        Files.writeString(dir.resolve("ferry.properties"), "connection.main.uri=mongodb://db.example/app\n"
                + "connection.main.tlsCAFile=" + rootOnly + "\n"
                + "connection.main.tlsCertificateKeyFile=" + rootOnly + "\n"
                + "connection.main.tlsCertificateKeyFilePassword=${file:${env:CREDENTIALS_DIRECTORY}/key-password}\n");
        ConnectionSettings c = new ConfigLoader(Map.<String, String>of()::get).load(dir, name -> false)
                .connection("main").orElseThrow();
        assertTrue(c.tls().isEmpty(), "no TLS material built for a command that does not connect");
    }
}
