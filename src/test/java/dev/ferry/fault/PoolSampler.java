package dev.ferry.fault;

import dev.ferry.pool.PoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Samples every pool's {@code ConnectionsTotal} and the JVM's live thread count on a named thread every
 * {@code periodMillis}, keeping the maxima, as an operator watching JConsole during a load would.
 */
final class PoolSampler implements AutoCloseable {
    private final Collection<? extends PoolMXBean> pools;
    private final long periodMillis;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<String, Long> maxConnections = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int peakThreads;
    private volatile long samples;

    PoolSampler(Collection<? extends PoolMXBean> pools, long periodMillis) {
        this.pools = pools;
        this.periodMillis = periodMillis;
        this.thread = new Thread(this::loop, "pool-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void sample() {
        for (PoolMXBean p : pools) {
            maxConnections.merge(p.getName(), p.getConnectionsTotal(), Math::max);
        }
        peakThreads = Math.max(peakThreads, threads.getThreadCount());
        samples++;
    }

    /** Highest ConnectionsTotal seen per pool, by name. */
    Map<String, Long> maxConnections() {
        return new TreeMap<>(maxConnections);
    }

    int peakThreads() {
        return peakThreads;
    }

    int pools() {
        return pools.size();
    }

    long samples() {
        return samples;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }
}
