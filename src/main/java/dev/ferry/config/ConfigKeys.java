package dev.ferry.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every key of {@code ferry.properties}: the one table that drives parsing, bounds, defaults, the
 * unknown-key check and the configuration reference of docs/configuration.md ({@code ConfigKeysReadmeTest} fails
 * when that page and this table disagree; {@link #markdownTable()} prints the rows to paste).
 */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    public static final Key<Path> SPOOL_DIR = Key.path("spool.dir", "var/spool", "holds `incoming/ active/ done/ failed/`");
    public static final Key<Path> STATE_DIR = Key.path("state.dir", "var/state",
            "checkpoints, `ferry.pid`, `ferry.lock`, `jmx.local`; one daemon per state dir");
    public static final Key<Integer> WORKERS = Key.integer("workers", 4, 1, Integer.MAX_VALUE,
            "jobs copied at once (≥ 1); a follow job that copied its snapshot follows beside them without a worker");
    public static final Key<Integer> CHUNK_SIZE = Key.integer("chunk.size", 1000, 1, Limits.MAX_CHUNK_SIZE,
            "documents per chunk unless the job says otherwise (1–100000)");
    public static final Key<Integer> JOB_LANES = Key.integer("job.lanes", 16, 1, Limits.MAX_LANES,
            "chunks of a job in flight at once, each on its own lease, unless the job says otherwise (1–64; "
                    + "see [Lanes](jobs.md#lanes))");
    public static final Key<Long> JOB_MAX_BYTES_IN_FLIGHT = Key.whole("job.maxBytesInFlight", 64L * 1024 * 1024,
            1024 * 1024, "bytes of a job's chunks in flight at most (≥ 1 MiB); a chunk larger than this is written alone");
    public static final Key<Long> VERIFY_MAX_LISTED = Key.whole("verify.maxListed", 10_000L, 0,
            "keys a job's comparison lists at most in `ID.verify.ndjson` (≥ 0); the counts cover every key "
                    + "(see [Verify](jobs.md#verify))");
    public static final Key<Duration> QUEUE_SETTLE = Key.millis("queue.settleMillis", 500, 0,
            "a dropped file must be unchanged this long before it is claimed");
    public static final Key<Duration> QUEUE_RESCAN = Key.seconds("queue.rescanSeconds", 10, 1,
            "full directory rescan, besides file-system events");
    public static final Key<Duration> HEALTH_INTERVAL = Key.seconds("health.intervalSeconds", 30, 1,
            "ping every open client (each ping bounded by 5 s or the interval)");
    public static final Key<Integer> HEALTH_FAILURES = Key.integer("health.failuresBeforeReconnect", 3, 1,
            Integer.MAX_VALUE, "consecutive failed pings before the pool is `DOWN` and its client is replaced (again "
                    + "after every further failure, until a ping succeeds)");
    public static final Key<Duration> POOL_IDLE_TIMEOUT = Key.seconds("pool.idleTimeoutSeconds", 300, 0,
            "close a client no lease used for this long (0: as soon as idle)");
    public static final Key<Duration> POOL_REAP_INTERVAL = Key.seconds("pool.reapIntervalSeconds", 30, 1,
            "how often the reaper looks");
    public static final Key<Integer> RETRY_MAX_ATTEMPTS = Key.integer("retry.maxAttempts", 10, 1, Integer.MAX_VALUE,
            "attempts per chunk on transient errors");
    public static final Key<Duration> RETRY_INITIAL_BACKOFF = Key.millis("retry.initialBackoffMillis", 500, 0,
            "first backoff: exponential with equal jitter, attempt *n* waits between ½ and 1 × min(max, initial × "
                    + "2^(n−1)); must not exceed `retry.maxBackoffMillis`");
    public static final Key<Duration> RETRY_MAX_BACKOFF = Key.millis("retry.maxBackoffMillis", 30_000, 0,
            "the longest backoff");
    public static final Key<Duration> SHUTDOWN_TIMEOUT = Key.seconds("shutdown.timeoutSeconds", 30, 0,
            "SIGTERM: finish or checkpoint in-flight chunks within this; also how long a reset client waits for "
                    + "its last lease before it is closed anyway");
    public static final Key<List<Path>> ALLOWED_DIRS = Key.paths("source.file.allowedDirs", "examples/data",
            "comma list; file sources must resolve inside one");
    public static final Key<Optional<Integer>> JMX_PORT = Key.port("jmx.port",
            "empty: nothing listens; set: remote JMX on that port, see [Remote JMX](operations.md#remote-jmx-security)");
    public static final Key<Optional<String>> JMX_BIND = Key.text("jmx.bind",
            "with `jmx.port`: the one address remote JMX listens on (empty: every address)");
    public static final Key<Optional<Path>> JMX_KEY_STORE = Key.optionalPath("jmx.keyStore",
            "with `jmx.port`: a PKCS12 key store; remote JMX then speaks TLS (empty: plain)");
    public static final Key<Optional<String>> JMX_KEY_STORE_PASSWORD = Key.secret("jmx.keyStorePassword",
            "the key store's password; write it as `${file:...}` or `${env:...}`");

    public static final Key<Optional<String>> CLUSTER_CONNECTION = Key.text("cluster.connection",
            "empty: this daemon works alone; set: a configured connection whose database holds the cluster's "
                    + "coordination collections (see [Cluster](cluster.md))");
    public static final Key<Optional<String>> CLUSTER_NAME = Key.text("cluster.name",
            "daemons with the same `cluster.connection` and name form one cluster (empty: `ferry`)");
    public static final Key<Optional<String>> CLUSTER_MEMBER = Key.text("cluster.member",
            "this daemon's name in the cluster (empty: host name and state dir, `host:/var/lib/ferry`)");
    public static final Key<Duration> CLUSTER_LEASE = Key.seconds("cluster.leaseSeconds", 30, 3,
            "a member's hold on its membership and its work lasts this long unless renewed (every third of it)");

    /** The keys outside {@code connection.NAME.}. */
    public static final List<Key<?>> GLOBAL = List.of(SPOOL_DIR, STATE_DIR, WORKERS, CHUNK_SIZE, JOB_LANES,
            JOB_MAX_BYTES_IN_FLIGHT, VERIFY_MAX_LISTED, QUEUE_SETTLE,
            QUEUE_RESCAN, HEALTH_INTERVAL, HEALTH_FAILURES, POOL_IDLE_TIMEOUT, POOL_REAP_INTERVAL, RETRY_MAX_ATTEMPTS,
            RETRY_INITIAL_BACKOFF, RETRY_MAX_BACKOFF, SHUTDOWN_TIMEOUT, ALLOWED_DIRS, JMX_PORT, JMX_BIND,
            JMX_KEY_STORE, JMX_KEY_STORE_PASSWORD, CLUSTER_CONNECTION, CLUSTER_NAME, CLUSTER_MEMBER, CLUSTER_LEASE);

    /**
     * The keys a reload cannot apply to a running daemon: where it keeps its files, how JMX listens, which cluster it is
     * in. A reload that
     * changes one reports it as needing a restart and applies the rest (docs/operations.md, "Reloading the configuration").
     */
    public static final List<Key<?>> RESTART_ONLY = List.of(SPOOL_DIR, STATE_DIR, JMX_PORT, JMX_BIND, JMX_KEY_STORE,
            JMX_KEY_STORE_PASSWORD, CLUSTER_CONNECTION, CLUSTER_NAME, CLUSTER_MEMBER, CLUSTER_LEASE);

    // ---- connection.NAME.OPTION ----

    public static final Key<Optional<String>> URI = Key.secret("uri",
            "MongoDB connection string, or `embedded:` (in memory) / `embedded:DIR` (on disk) for the built-in store");
    public static final Key<Optional<String>> DATABASE = Key.text("database",
            "default database of jobs on this connection; without it, the database in the connection string "
                    + "(`mongodb://host/DB`)");
    public static final Key<Integer> MAX_POOL_SIZE = Key.integer("maxPoolSize", 10, 1, Integer.MAX_VALUE,
            "connections the driver keeps at most");
    public static final Key<Integer> MIN_POOL_SIZE = Key.integer("minPoolSize", 2, 0, Integer.MAX_VALUE,
            "must not exceed maxPoolSize");
    public static final Key<Long> MAX_IDLE_TIME_MS = Key.whole("maxIdleTimeMS", 30_000, 0,
            "one pooled *connection* idle this long is closed by the driver");
    public static final Key<Long> SERVER_SELECTION_TIMEOUT_MS = Key.whole("serverSelectionTimeoutMS", 10_000, 0,
            "how long an operation waits for a reachable server");
    public static final Key<Long> SOCKET_TIMEOUT_MS = Key.whole("socketTimeoutMS", 0, 0,
            "0: no limit on one read");
    public static final Key<Long> CONNECT_TIMEOUT_MS = Key.whole("connectTimeoutMS", 10_000, 0,
            "how long opening one connection may take");
    public static final Key<Boolean> RETRY_WRITES = Key.bool("retryWrites", true, "the driver's retryable writes");
    public static final Key<Boolean> RETRY_READS = Key.bool("retryReads", true, "the driver's retryable reads");

    public static final Key<Optional<Path>> TLS_CA_FILE = Key.optionalPath("tlsCAFile",
            "PEM bundle of the CAs this connection trusts (a private CA); implies TLS; empty: the JVM's default CAs");
    public static final Key<Optional<Path>> TLS_CERT_KEY_FILE = Key.optionalPath("tlsCertificateKeyFile",
            "PEM file with this connection's client certificate and its PKCS#8 private key (x509 authentication); "
                    + "implies TLS");
    public static final Key<Optional<String>> TLS_CERT_KEY_PASSWORD = Key.secret("tlsCertificateKeyFilePassword",
            "password of an encrypted private key in tlsCertificateKeyFile; write it as `${file:...}`");

    /** The options after {@code connection.NAME.}, in the order docs/configuration.md lists them. */
    public static final List<Key<?>> CONNECTION = List.of(URI, DATABASE, MAX_POOL_SIZE, MIN_POOL_SIZE,
            MAX_IDLE_TIME_MS, SERVER_SELECTION_TIMEOUT_MS, SOCKET_TIMEOUT_MS, CONNECT_TIMEOUT_MS, RETRY_WRITES,
            RETRY_READS, TLS_CA_FILE, TLS_CERT_KEY_FILE, TLS_CERT_KEY_PASSWORD);

    public static Optional<Key<?>> global(String name) {
        return GLOBAL.stream().filter(k -> k.name().equals(name)).findFirst().map(k -> (Key<?>) k);
    }

    public static Optional<Key<?>> connectionOption(String option) {
        return CONNECTION.stream().filter(k -> k.name().equals(option)).findFirst().map(k -> (Key<?>) k);
    }

    /** The rows of docs/configuration.md's configuration reference, one per key. */
    public static String markdownTable() {
        StringBuilder out = new StringBuilder("| key | default | meaning |\n| --- | --- | --- |\n");
        for (Key<?> k : GLOBAL) {
            out.append(row(k.name(), k));
        }
        for (Key<?> k : CONNECTION) {
            out.append(row("connection.NAME." + k.name(), k));
        }
        return out.toString();
    }

    private static String row(String name, Key<?> k) {
        String dflt = k == URI ? "—" : k == DATABASE ? "the uri's database" : k.readmeDefault();
        if ((k.type() == Key.Type.PATH || k.type() == Key.Type.PATHS) && !dflt.equals("empty")) {
            dflt = "`" + dflt + "`";
        }
        String restart = RESTART_ONLY.contains(k) ? " (a reload leaves it: needs a restart)" : "";
        return "| `" + name + "` | " + dflt + " | " + k.description() + restart + " |\n";
    }

    public static void main(String[] args) {
        System.out.print(markdownTable());
    }
}
