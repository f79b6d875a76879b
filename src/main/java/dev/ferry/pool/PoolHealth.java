package dev.ferry.pool;

import com.mongodb.MongoSocketReadException;
import com.mongodb.MongoSocketWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import dev.ferry.config.Redaction;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The health record of one connection: its pings, their latency, and consecutive failures. */
final class PoolHealth {
    private static final Logger log = LoggerFactory.getLogger(PoolHealth.class);
    private static final Document PING = new Document("ping", 1);

    private final String name;
    private volatile PoolMaintenance settings;
    private final Clock clock;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile Instant lastCheck;
    private volatile long lastLatencyMillis = -1;
    private volatile String lastError = "";

    PoolHealth(String name, PoolMaintenance settings, Clock clock) {
        this.name = name;
        this.settings = settings;
        this.clock = clock;
    }

    void maintenance(PoolMaintenance changed) {
        settings = changed;
    }

    /**
     * Pings through {@code client} and records the outcome.
     *
     * @return the consecutive failures so far; at {@code failuresBeforeReconnect} or more the pool is
     *         DOWN and its client due for replacement
     */
    int check(MongoClient client) {
        long started = System.nanoTime();
        try {
            ping(client.getDatabase("admin").withTimeout(settings.healthTimeout().toMillis(), TimeUnit.MILLISECONDS));
            lastLatencyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            int failures = consecutiveFailures.getAndSet(0);
            if (failures >= settings.failuresBeforeReconnect()) {
                log.info("{}: healthy again after {} failed health checks", name, failures);
            }
            return 0;
        } catch (RuntimeException e) {
            int failures = consecutiveFailures.incrementAndGet();
            lastError = Redaction.uri(TlsCheck.describe(e));
            log.warn("{}: health check {} failed: {}", name, failures, lastError);
            return failures;
        } finally {
            lastCheck = clock.instant();
        }
    }

    /**
     * A ping that fails on an established connection (reset while it sat idle in the pool, as a firewall
     * or a flapping link does) says nothing about the server: the driver has dropped that pool
     * generation, so one more ping on a fresh connection decides. Without it, links reset more often
     * than the health interval made every check fail and held a reachable destination DOWN.
     */
    private void ping(MongoDatabase admin) {
        try {
            admin.runCommand(PING);
        } catch (MongoSocketReadException | MongoSocketWriteException e) {
            log.debug("{}: health ping hit a broken pooled connection ({}); pinging on a fresh one", name, e.toString());
            admin.runCommand(PING);
        }
    }

    boolean isDown() {
        return consecutiveFailures.get() >= settings.failuresBeforeReconnect();
    }

    boolean isHealthy() {
        return consecutiveFailures.get() == 0;
    }

    int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    Instant lastCheck() {
        return lastCheck;
    }

    long lastLatencyMillis() {
        return lastLatencyMillis;
    }

    String lastError() {
        return lastError;
    }
}
