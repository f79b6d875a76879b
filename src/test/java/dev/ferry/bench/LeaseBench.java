package dev.ferry.bench;

import dev.ferry.concurrent.Executors2;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolManager;
import dev.ferry.testing.TestMongoServer;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Benchmark 3: one lease taken and returned on an open client (no I/O: the client is already open). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LeaseBench {
    private TestMongoServer server;
    private ScheduledThreadPoolExecutor scheduler;
    private PoolManager pools;

    @Setup(Level.Trial)
    public void open() {
        server = new TestMongoServer();
        scheduler = Executors2.scheduler("bench-scheduler", 1);
        pools = BenchPools.start(server.uri(), scheduler);
        pools.lease(BenchPools.CONNECTION).close(); // opens the client
    }

    @Benchmark
    public long acquireAndRelease() {
        try (Lease lease = pools.lease(BenchPools.CONNECTION)) {
            return lease.generation();
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        pools.close();
        Executors2.shutdown("bench-scheduler", scheduler, Duration.ofSeconds(5));
        server.close();
    }
}
