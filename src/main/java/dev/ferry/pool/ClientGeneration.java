package dev.ferry.pool;

import com.mongodb.client.MongoClient;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One MongoClient and the leases that hold it. The lease count doubles as the close latch: a closed
 * generation has a negative count, so {@link #tryAcquire()} and closing can never interleave — a
 * client is closed only at a moment when no lease holds it (or by {@link #forceClose()} after the
 * drain timeout, when the chunk still holding it is retried on a new client).
 */
final class ClientGeneration {
    private static final int CLOSED = Integer.MIN_VALUE / 2;

    private final MongoClient client;
    private final long number;
    private final AtomicInteger leases;
    private final AtomicBoolean clientClosed = new AtomicBoolean();
    private volatile boolean retired;
    private volatile long lastUsedMillis;

    /** The opener holds the first lease, so a reaper cannot close the generation before it is used. */
    ClientGeneration(MongoClient client, long number, long nowMillis) {
        this.client = client;
        this.number = number;
        this.leases = new AtomicInteger(1);
        this.lastUsedMillis = nowMillis;
    }

    MongoClient client() {
        return client;
    }

    long number() {
        return number;
    }

    boolean tryAcquire(long nowMillis) {
        if (tryAcquireQuietly()) {
            touch(nowMillis);
            return true;
        }
        return false;
    }

    // most leases fall in a millisecond already recorded: reading instead of writing keeps the
    // cache line shared between the threads that take leases
    private void touch(long nowMillis) {
        if (lastUsedMillis != nowMillis) {
            lastUsedMillis = nowMillis;
        }
    }

    /** Acquires without counting as use, so that health pings never keep an idle client from the reaper. */
    boolean tryAcquireQuietly() {
        while (true) {
            int n = leases.get();
            if (n < 0) {
                return false;
            }
            if (leases.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** @return true if this release closed a retired generation */
    boolean release(long nowMillis) {
        touch(nowMillis);
        return releaseQuietly();
    }

    boolean releaseQuietly() {
        int n = leases.decrementAndGet();
        return n == 0 && retired && closeIfUnused();
    }

    /** Stops new leases; closes now if none is out, else when the last one returns. */
    boolean retire() {
        retired = true;
        return closeIfUnused();
    }

    /** Closes the client if no lease holds it; the only path besides {@link #forceClose()}. */
    boolean closeIfUnused() {
        if (leases.compareAndSet(0, CLOSED)) {
            closeClient();
            return true;
        }
        return false;
    }

    /** Closes even with leases out; those leases' operations fail and are retried by their callers. */
    void forceClose() {
        leases.set(CLOSED);
        closeClient();
    }

    private void closeClient() {
        if (clientClosed.compareAndSet(false, true)) {
            client.close();
        }
    }

    boolean isClosed() {
        return leases.get() < 0;
    }

    boolean isRetired() {
        return retired;
    }

    int leases() {
        return Math.max(0, leases.get());
    }

    long lastUsedMillis() {
        return lastUsedMillis;
    }
}
