package dev.ferry.pool;

import com.mongodb.ConnectionString;
import com.mongodb.MongoException;
import dev.ferry.config.TlsMaterial;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;

/**
 * The self-test of the original fix, run by {@code ferry check-pool NAME} against a pool manager of
 * its own: operations reuse one client within maxPoolSize, a long operation survives a reset, no
 * closed-client error occurs under resets and reaping, and close leaves no connection open. Only
 * pings are sent: the test writes nothing.
 */
public final class PoolSelfCheck {
    private static final Document PING = new Document("ping", 1);

    /** One line of the report. */
    public record Check(String name, boolean passed, String figures) {
    }

    private final PoolManager manager;
    private final String connection;
    private final Duration stressDuration;

    public PoolSelfCheck(PoolManager manager, String connection, Duration stressDuration) {
        this.manager = manager;
        this.connection = connection;
        this.stressDuration = stressDuration;
    }

    /** Runs every check in order and closes the manager at the end (the cleanup check needs that). */
    public List<Check> run() {
        List<Check> checks = new ArrayList<>();
        PooledClient pool = manager.pool(connection);
        checks.add(tls(pool));
        Check reachable = reachable(pool);
        checks.add(reachable);
        if (!reachable.passed()) {
            manager.close(Duration.ofSeconds(5));
            return checks;
        }
        checks.add(reuse(pool));
        checks.add(longOperationSurvivesReset(pool));
        checks.add(noClosedClientErrors(pool));
        checks.add(cleanup(pool));
        return checks;
    }

    private Check reachable(PooledClient pool) {
        long started = System.nanoTime();
        try (Lease lease = pool.lease()) {
            lease.database("admin").runCommand(PING);
            return new Check("reachable", true, pool.target() + " answered a ping in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
        } catch (MongoException | IllegalStateException e) {
            return new Check("reachable", false, pool.target() + ": "
                    + TlsCheck.withHint(pool.connection(), dev.ferry.config.Redaction.uri(e.toString())));
        }
    }

    /** Whether TLS is on, with which files, and what one handshake costs (it is what a new client pays). */
    private Check tls(PooledClient pool) {
        Optional<TlsMaterial> tls = pool.connection().tls();
        if (tls.isEmpty()) {
            boolean uriTls = pool.connection().embedded() ? false
                    : Boolean.TRUE.equals(new ConnectionString(pool.resolvedUri()).getSslEnabled());
            return new Check("tls", true, uriTls ? "on (tls=true in the uri; the JVM's default CAs)" : "off");
        }
        try {
            long millis = TlsCheck.timeHandshake(tls.get(), pool.resolvedUri(), 10_000);
            return new Check("tls", true, tls.get().describe() + "; handshake " + millis + " ms");
        } catch (IOException | RuntimeException e) {
            return new Check("tls", false, tls.get().describe() + ": handshake failed: "
                    + TlsCheck.withHint(pool.connection(), e.toString()));
        }
    }

    private Check reuse(PooledClient pool) {
        long clientsBefore = pool.clientsOpened();
        int threads = 8;
        int perThread = 125;
        List<Throwable> errors = runConcurrently(threads, () -> {
            for (int i = 0; i < perThread; i++) {
                try (Lease lease = pool.lease()) {
                    lease.database("admin").runCommand(PING);
                }
            }
        });
        long clients = pool.clientsOpened() - clientsBefore;
        long peak = pool.statistics().peakOpen();
        boolean ok = errors.isEmpty() && clients == 0 && peak <= pool.connection().options().maxPoolSize();
        return new Check("reuse", ok, String.format("%d operations from %d threads, %d new client(s), "
                        + "peak %d connection(s) of maxPoolSize %d, %d error(s)",
                threads * perThread, threads, clients, peak, pool.connection().options().maxPoolSize(), errors.size()));
    }

    private Check longOperationSurvivesReset(PooledClient pool) {
        int resets = 5;
        long generation;
        int operations = 0;
        try (Lease lease = pool.lease()) {
            generation = lease.generation();
            for (int i = 0; i < resets; i++) {
                lease.database("admin").runCommand(PING);
                pool.reset();
                manager.reapIdleNow();
                operations++;
                sleep(Duration.ofMillis(200));
            }
            lease.database("admin").runCommand(PING);
            operations++;
        } catch (MongoException | IllegalStateException e) {
            return new Check("long-operation", false, "failed after " + operations + " operations: " + e);
        }
        boolean moved = pool.currentGeneration() != generation;
        return new Check("long-operation", moved, String.format(
                "one lease held for %d operations across %d resets; new work moved to client #%d",
                operations, resets, pool.currentGeneration()));
    }

    private Check noClosedClientErrors(PooledClient pool) {
        long deadline = System.nanoTime() + stressDuration.toNanos();
        AtomicLong operations = new AtomicLong();
        long resetsBefore = pool.resets();
        Thread resetter = new Thread(() -> {
            while (System.nanoTime() < deadline) {
                pool.reset();
                manager.reapIdleNow();
                sleep(Duration.ofMillis(20));
            }
        }, "ferry-check-pool-resetter");
        resetter.start();
        List<Throwable> errors = runConcurrently(4, () -> {
            while (System.nanoTime() < deadline) {
                try (Lease lease = pool.lease()) {
                    lease.database("admin").runCommand(PING);
                    operations.incrementAndGet();
                }
            }
        });
        try {
            resetter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String first = errors.isEmpty() ? "" : "; first: " + dev.ferry.config.Redaction.uri(errors.get(0).toString());
        return new Check("no-closed-client", errors.isEmpty(), String.format(
                "%d operations on 4 threads during %d resets in %d ms, %d error(s)%s", operations.get(),
                pool.resets() - resetsBefore, stressDuration.toMillis(), errors.size(), first));
    }

    private Check cleanup(PooledClient pool) {
        manager.close(Duration.ofSeconds(10));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.statistics().open() > 0 && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(20));
        }
        boolean ok = pool.statistics().open() == 0 && pool.leases() == 0;
        return new Check("cleanup", ok, String.format("after close: %d connection(s) open, %d lease(s) out; "
                        + "%d connection(s) created and %d closed in all", pool.statistics().open(),
                pool.leases(), pool.statistics().created(), pool.statistics().closed()));
    }

    private static List<Throwable> runConcurrently(int threads, Runnable work) {
        ExecutorService executor = Executors.newFixedThreadPool(threads,
                new dev.ferry.concurrent.NamedThreadFactory("ferry-check-pool", true));
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            futures.add(executor.submit(work));
        }
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                errors.add(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                errors.add(e);
            }
        }
        dev.ferry.concurrent.Executors2.shutdown("ferry-check-pool", executor, Duration.ofSeconds(5));
        return new ArrayList<>(errors);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
