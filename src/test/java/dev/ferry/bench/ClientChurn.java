package dev.ferry.bench;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.ferry.concurrent.Executors2;
import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.DriverPoolOptions;
import dev.ferry.config.TlsMaterial;
import dev.ferry.job.WriteMode;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolManager;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.retry.ErrorClassifier;
import dev.ferry.sync.write.PermanentWriteException;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.TestCa;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.bson.BsonDocument;

/**
 * Benchmark 2: the same chunk writes (ferry's {@link ChunkWriter}, upsert by _id) on a lease from
 * ferry's pool, or on a MongoClient created for the chunk and closed after it (the original bug).
 * Benchmark 9 is the same over TLS ({@link #overTls}).
 */
final class ClientChurn implements AutoCloseable {
    private static final List<String> KEY = List.of("_id");

    /** Closes the server (plain or TLS). */
    private final Runnable serverStop;
    /** Null, or the loopback proxy that delays every packet to play a network between client and server. */
    private final FaultProxy network;
    private final String uri;
    /** Null for plain connections; else the connection's own SSLContext, as ferry builds it from tlsCAFile. */
    private final TlsMaterial tls;
    private final ScheduledThreadPoolExecutor scheduler = Executors2.scheduler("bench-scheduler", 1);
    private final PoolManager pools;
    private final ChunkWriter writer = new ChunkWriter(new ErrorClassifier());
    private final MongoClient admin;
    private int runs;

    /** @param oneWayLatency zero for plain loopback; else every packet waits this long in each direction */
    ClientChurn(Duration oneWayLatency) {
        TestMongoServer server = new TestMongoServer();
        serverStop = server::close;
        tls = null;
        if (oneWayLatency.isZero()) {
            network = null;
            uri = server.uri();
        } else {
            network = new FaultProxy("127.0.0.1", server.port());
            network.setLatency(oneWayLatency);
            uri = network.uri();
        }
        pools = BenchPools.start(new ConnectionSettings(BenchPools.CONNECTION, uri, "bench",
                DriverPoolOptions.DEFAULTS), scheduler);
        admin = newClient();
    }

    /** The CA of the TLS server, for {@link #newClientMillis}'s contexts of their own; null for plain. */
    private java.security.cert.X509Certificate caCertificate;

    private ClientChurn(MongoServer server, String uri, ConnectionSettings connection) {
        serverStop = server::shutdownNow;
        network = null;
        this.uri = uri;
        this.tls = connection.tls().orElseThrow();
        pools = BenchPools.start(connection, scheduler);
        admin = newClient();
    }

    /**
     * Benchmark 9: mongo-java-server speaking TLS with a certificate for 127.0.0.1 signed by a CA made
     * here ({@link TestCa}); the connection trusts that CA through {@code connection.bench.tlsCAFile}, so
     * the pool's client and every client made per chunk use the SSLContext ferry builds for the connection.
     */
    static ClientChurn overTls(Path dir) {
        try {
            TestCa ca = new TestCa("ferry bench CA");
            TestCa.Issued certificate = ca.server("127.0.0.1");
            MongoServer server = new MongoServer(new MemoryBackend());
            server.enableSsl(certificate.keys().getPrivate(), "", certificate.certificate(), ca.certificate());
            server.bind("127.0.0.1", 0);
            String uri = "mongodb://127.0.0.1:" + server.getLocalAddress().getPort() + "/bench";
            Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
            Properties props = new Properties();
            props.setProperty("connection." + BenchPools.CONNECTION + ".uri", uri);
            props.setProperty("connection." + BenchPools.CONNECTION + ".tlsCAFile", caFile.toString());
            ConnectionSettings connection = new ConfigLoader(Map.<String, String>of()::get).fromProperties(props, dir)
                    .connection(BenchPools.CONNECTION).orElseThrow();
            ClientChurn churn = new ClientChurn(server, uri, connection);
            churn.caCertificate = ca.certificate();
            return churn;
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the TLS server: " + e, e);
        }
    }

    /**
     * What the original bug did for every chunk: {@code MongoClients.create(uri)}, the driver's defaults;
     * over TLS with the connection's own SSLContext (one context for all of them, as ferry's settings hold it).
     */
    private MongoClient newClient() {
        if (tls == null) {
            return MongoClients.create(uri);
        }
        return MongoClients.create(MongoClientSettings.builder().applyConnectionString(new ConnectionString(uri))
                .applyToSslSettings(b -> b.enabled(true).context(tls.context())).build());
    }

    /**
     * What one new client costs before its first answer: create, {@code ping}, close; the median of
     * {@code n} in milliseconds. Over TLS with the connection's one SSLContext (as the bug would run, so
     * the JDK may resume a cached TLS session), or with an SSLContext of its own per client (made before
     * the clock starts), so every connection does a full handshake.
     */
    double newClientMillis(int n, boolean ownContext) {
        List<javax.net.ssl.SSLContext> contexts = new java.util.ArrayList<>();
        for (int i = 0; i < n && ownContext; i++) {
            contexts.add(trusting(caCertificate));
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            javax.net.ssl.SSLContext context = ownContext ? contexts.get(i) : tls.context();
            long t0 = System.nanoTime();
            try (MongoClient client = MongoClients.create(MongoClientSettings.builder()
                    .applyConnectionString(new ConnectionString(uri))
                    .applyToSslSettings(b -> b.enabled(true).context(context)).build())) {
                client.getDatabase("admin").runCommand(new org.bson.Document("ping", 1));
            }
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return BenchMain.median(ms);
    }

    /** The median milliseconds of a ping on a lease of the pool (its client and connections already open). */
    double pooledPingMillis(int n) {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            try (Lease lease = pools.lease(BenchPools.CONNECTION)) {
                lease.database("admin").runCommand(new org.bson.Document("ping", 1));
            }
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return BenchMain.median(ms);
    }

    private static javax.net.ssl.SSLContext trusting(java.security.cert.X509Certificate ca) {
        try {
            java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return documents per second */
    double pooled(List<List<BsonDocument>> chunks) {
        String name = "pooled-" + (++runs);
        long t0 = System.nanoTime();
        for (List<BsonDocument> chunk : chunks) {
            try (Lease lease = pools.lease(BenchPools.CONNECTION)) {
                write(lease.collection("bench", name), chunk);
            }
        }
        return rate(chunks, System.nanoTime() - t0, name);
    }

    /** @return documents per second */
    double clientPerChunk(List<List<BsonDocument>> chunks) {
        String name = "churn-" + (++runs);
        long t0 = System.nanoTime();
        for (List<BsonDocument> chunk : chunks) {
            try (MongoClient client = newClient()) {
                write(client.getDatabase("bench").getCollection(name, BsonDocument.class), chunk);
            }
        }
        return rate(chunks, System.nanoTime() - t0, name);
    }

    private void write(com.mongodb.client.MongoCollection<BsonDocument> coll, List<BsonDocument> chunk) {
        try {
            writer.write(coll, chunk, WriteMode.UPSERT, KEY);
        } catch (PermanentWriteException e) {
            throw new IllegalStateException(e);
        }
    }

    private double rate(List<List<BsonDocument>> chunks, long nanos, String collection) {
        long docs = chunks.stream().mapToLong(List::size).sum();
        var coll = admin.getDatabase("bench").getCollection(collection);
        long stored = coll.countDocuments();
        coll.drop();
        if (stored != docs) {
            throw new IllegalStateException(collection + ": stored " + stored + " of " + docs);
        }
        return docs * 1e9 / nanos;
    }

    static List<List<BsonDocument>> chunks(int chunkSize, int count) {
        List<BsonDocument> all = BenchData.documents(0, chunkSize * count);
        List<List<BsonDocument>> chunks = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            chunks.add(all.subList(i * chunkSize, (i + 1) * chunkSize));
        }
        return chunks;
    }

    @Override
    public void close() {
        admin.close();
        pools.close();
        Executors2.shutdown("bench-scheduler", scheduler, Duration.ofSeconds(5));
        if (network != null) {
            network.close();
        }
        serverStop.run();
    }
}
