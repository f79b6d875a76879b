package dev.ferry.sync;

import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.pool.PoolManager;
import dev.ferry.queue.Spool;
import java.time.Clock;
import java.util.Objects;

/** The long-lived services the orchestrator works with, built once by the daemon. */
public record SyncServices(Spool spool, PoolManager pools, CheckpointStore checkpoints, Clock clock,
                           MBeanRegistrar mbeans) {
    public SyncServices {
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(pools, "pools");
        Objects.requireNonNull(checkpoints, "checkpoints");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(mbeans, "mbeans");
    }
}
