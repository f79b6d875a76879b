package dev.ferry.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every setting of ferry.properties (docs/configuration.md, "Configuration reference"), validated once by
 * {@link ConfigLoader}: one typed value per {@link ConfigKeys} key. Immutable: a reload loads new settings
 * and the daemon hands them to its parts ({@link SettingsChange} says what differs).
 */
public final class FerrySettings {
    private final Path confDir;
    private final Map<Key<?>, Object> values;
    private final Map<String, ConnectionSettings> connections;
    private final List<String> otherSecrets;

    /**
     * @param values a value for every key of {@link ConfigKeys#GLOBAL}, already parsed and checked
     * @param otherSecrets secrets outside uris and JMX (private key passwords), scrubbed from output too
     */
    FerrySettings(Path confDir, Map<Key<?>, Object> values, Map<String, ConnectionSettings> connections,
            List<String> otherSecrets) {
        this.otherSecrets = List.copyOf(otherSecrets);
        this.confDir = Objects.requireNonNull(confDir, "confDir");
        for (Key<?> k : ConfigKeys.GLOBAL) {
            if (!values.containsKey(k)) {
                throw new IllegalArgumentException("no value for " + k.name());
            }
        }
        this.values = Map.copyOf(values);
        this.connections = Collections.unmodifiableMap(new LinkedHashMap<>(connections));
    }

    /**
     * These settings with the {@link ConfigKeys#RESTART_ONLY} values of {@code running}: what a daemon started with
     * {@code running} uses after reloading these.
     */
    public FerrySettings keepingRestartOnlyOf(FerrySettings running) {
        Map<Key<?>, Object> kept = new java.util.HashMap<>(values);
        for (Key<?> k : ConfigKeys.RESTART_ONLY) {
            kept.put(k, running.values.get(k));
        }
        return new FerrySettings(confDir, kept, connections, otherSecrets);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        return (T) values.get(key);
    }

    public Path confDir() {
        return confDir;
    }

    public Path spoolDir() {
        return get(ConfigKeys.SPOOL_DIR);
    }

    public Path stateDir() {
        return get(ConfigKeys.STATE_DIR);
    }

    public int workers() {
        return get(ConfigKeys.WORKERS);
    }

    public int chunkSize() {
        return get(ConfigKeys.CHUNK_SIZE);
    }

    /** Chunks of a job in flight at once, unless the job says otherwise. */
    public int jobLanes() {
        return get(ConfigKeys.JOB_LANES);
    }

    public long jobMaxBytesInFlight() {
        return get(ConfigKeys.JOB_MAX_BYTES_IN_FLIGHT);
    }

    /** Keys a job's comparison lists at most. */
    public long verifyMaxListed() {
        return get(ConfigKeys.VERIFY_MAX_LISTED);
    }

    public Duration queueSettle() {
        return get(ConfigKeys.QUEUE_SETTLE);
    }

    public Duration queueRescan() {
        return get(ConfigKeys.QUEUE_RESCAN);
    }

    public Duration healthInterval() {
        return get(ConfigKeys.HEALTH_INTERVAL);
    }

    public int healthFailuresBeforeReconnect() {
        return get(ConfigKeys.HEALTH_FAILURES);
    }

    public Duration poolIdleTimeout() {
        return get(ConfigKeys.POOL_IDLE_TIMEOUT);
    }

    public Duration poolReapInterval() {
        return get(ConfigKeys.POOL_REAP_INTERVAL);
    }

    public int retryMaxAttempts() {
        return get(ConfigKeys.RETRY_MAX_ATTEMPTS);
    }

    public Duration retryInitialBackoff() {
        return get(ConfigKeys.RETRY_INITIAL_BACKOFF);
    }

    public Duration retryMaxBackoff() {
        return get(ConfigKeys.RETRY_MAX_BACKOFF);
    }

    public Duration shutdownTimeout() {
        return get(ConfigKeys.SHUTDOWN_TIMEOUT);
    }

    public List<Path> sourceFileAllowedDirs() {
        return get(ConfigKeys.ALLOWED_DIRS);
    }

    public Optional<Integer> jmxPort() {
        return get(ConfigKeys.JMX_PORT);
    }

    /** The one address remote JMX binds; empty: every address. */
    public Optional<String> jmxBind() {
        return get(ConfigKeys.JMX_BIND);
    }

    /** A PKCS12 key store that turns remote JMX to TLS; empty: plain. */
    public Optional<Path> jmxKeyStore() {
        return get(ConfigKeys.JMX_KEY_STORE);
    }

    public Optional<String> jmxKeyStorePassword() {
        return get(ConfigKeys.JMX_KEY_STORE_PASSWORD);
    }

    /** The connection whose database coordinates a cluster of daemons; empty: this daemon works alone. */
    public Optional<String> clusterConnection() {
        return get(ConfigKeys.CLUSTER_CONNECTION);
    }

    public String clusterName() {
        return get(ConfigKeys.CLUSTER_NAME).orElse("ferry");
    }

    /** This daemon's name in its cluster: {@code cluster.member}, else host name and state dir. */
    public String clusterMember() {
        return get(ConfigKeys.CLUSTER_MEMBER).orElseGet(() -> {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
            return host + ":" + stateDir().toAbsolutePath();
        });
    }

    public Duration clusterLease() {
        return get(ConfigKeys.CLUSTER_LEASE);
    }

    public Map<String, ConnectionSettings> connections() {
        return connections;
    }

    public Optional<ConnectionSettings> connection(String name) {
        return Optional.ofNullable(connections.get(name));
    }

    /** Every password-bearing value, so that output can be scrubbed of them (see {@link Redaction#text}). */
    public List<String> secrets() {
        List<String> secrets = new java.util.ArrayList<>(connections.values().stream()
                .map(ConnectionSettings::uri)
                .map(Redaction::password)
                .flatMap(Optional::stream)
                .toList());
        jmxKeyStorePassword().ifPresent(secrets::add);
        secrets.addAll(otherSecrets);
        return List.copyOf(secrets);
    }


    public Path incomingDir() {
        return spoolDir().resolve("incoming");
    }

    /** Never prints a secret. */
    @Override
    public String toString() {
        return "FerrySettings[conf=" + confDir + ", spool=" + spoolDir() + ", state=" + stateDir() + ", connections="
                + connections.values() + "]";
    }
}
