package dev.ferry.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.pool.PoolMXBean;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Many small jobs over many connections dropped at once: every job ends in done/, no pool ever holds more
 * than maxPoolSize connections and the thread count stays bounded.
 */
final class LoadScenario {
    static final int MAX_POOL_SIZE = 5;
    // more workers than maxPoolSize, and jobs dropped in runs of RUN per connection, so that several jobs
    // lease the same pool at once and its limit is actually tested
    static final int WORKERS = 16;
    static final int RUN = 10;
    // a driver client runs a monitor and an RTT thread per server plus a pool maintenance thread
    static final int THREADS_PER_CLIENT = 4;

    private LoadScenario() {
    }

    /** Every {@code dev.ferry:type=Pool} MXBean, read through the MBean server as JConsole would. */
    private static List<PoolMXBean> poolBeans(MBeanServer mbeans) {
        try {
            return mbeans.queryNames(new ObjectName("dev.ferry:type=Pool,*"), null).stream()
                    .map(name -> JMX.newMXBeanProxy(mbeans, name, PoolMXBean.class)).toList();
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    static ScenarioReport run(Path dir, String uri, int jobs, int connections, int docsPerJob, String name,
                              String command) {
        FerryConf conf = new FerryConf(dir, uri).set("workers", String.valueOf(WORKERS));
        for (int c = 0; c < connections; c++) {
            conf.set("connection.c" + c + ".uri", uri).set("connection.c" + c + ".database", Workload.DATABASE)
                    .set("connection.c" + c + ".maxPoolSize", String.valueOf(MAX_POOL_SIZE))
                    .set("connection.c" + c + ".minPoolSize", "1")
                    .set("connection.c" + c + ".serverSelectionTimeoutMS", "5000");
        }
        Workload work = new Workload();
        Spooler spool = new Spooler(conf.spool());
        List<String> ids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            String id = String.format("load-%04d", j);
            ids.add(id);
            texts.add(work.inlineJob(id, (long) j * docsPerJob, docsPerJob, "c" + ((j / RUN) % connections), "load"));
        }
        int baselineThreads = ManagementFactory.getThreadMXBean().getThreadCount();
        // per worker: the worker, its checkpoint saver and its read-ahead thread (pools of `workers` threads each)
        int threadBound = baselineThreads + 3 * WORKERS + connections * (THREADS_PER_CLIENT + MAX_POOL_SIZE) + 20;
        long started = System.nanoTime();
        long retries;
        Map<String, Long> maxConnections;
        int peakThreads;
        MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
        try (DaemonFixture daemon = new DaemonFixture(conf, mbeans).start();
             PoolSampler sampler = new PoolSampler(poolBeans(mbeans), 50)) {
            assertEquals(connections + 1, sampler.pools(), "Pool MXBeans sampled (c0..c" + (connections - 1) + ", dest)");
            for (int j = 0; j < jobs; j++) {
                spool.drop(ids.get(j) + ".json", texts.get(j));
            }
            for (String id : ids) {
                spool.awaitDone(id, Duration.ofSeconds(jobs / 2 + 60));
            }
            retries = Workload.retries(spool, ids);
            sampler.close();
            maxConnections = sampler.maxConnections();
            peakThreads = sampler.peakThreads();
            assertTrue(sampler.samples() > 1, "the sampler ran");
        }
        Duration time = Duration.ofNanos(System.nanoTime() - started);
        assertEquals(jobs, spool.count("done"), "jobs in done/");
        assertEquals(0, spool.count("failed"), "jobs in failed/");
        maxConnections.forEach((pool, max) -> assertTrue(max <= MAX_POOL_SIZE,
                pool + " had " + max + " connections open, maxPoolSize is " + MAX_POOL_SIZE));
        long busiest = maxConnections.values().stream().mapToLong(Long::longValue).max().orElse(0);
        assertTrue(busiest > 0, "the sampler saw open connections: " + maxConnections);
        assertTrue(peakThreads < threadBound, "peak live threads " + peakThreads + " above the bound " + threadBound);
        return new ScenarioReport(name, jobs, work.documents(), "none (" + connections + " connections, "
                + WORKERS + " workers)", retries, time, work.compare(uri, List.of("load")),
                "max open connections per pool " + busiest + " (maxPoolSize " + MAX_POOL_SIZE + "); peak threads "
                        + peakThreads + " (baseline " + baselineThreads + ", bound " + threadBound + ")", command)
                .record();
    }
}
