package dev.ferry.sync;

import dev.ferry.pool.PoolManager;
import dev.ferry.pool.PoolState;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A DOWN destination (or a follow job's DOWN source) is waited for, not hammered; waiting uses no attempt. */
final class DestinationWait {
    private static final Logger log = LoggerFactory.getLogger(DestinationWait.class);
    private static final Duration DOWN_POLL = Duration.ofSeconds(1);

    private final PoolManager pools;
    private final RunGate gate;

    DestinationWait(PoolManager pools, RunGate gate) {
        this.pools = pools;
        this.gate = gate;
    }

    /** @return false if the job must stop (shutdown or cancel) */
    boolean await(RunningJob job, String connection) throws InterruptedException {
        return await(job, connection, JobState.WAITING_FOR_DESTINATION, "destination");
    }

    /** As {@link #await(RunningJob, String)} for the connection a follow job reads its change stream from. */
    boolean awaitSource(RunningJob job, String connection) throws InterruptedException {
        return await(job, connection, JobState.WAITING_FOR_SOURCE, "source");
    }

    private boolean await(RunningJob job, String connection, JobState waiting, String role) throws InterruptedException {
        boolean logged = false;
        while (pools.pool(connection).state() == PoolState.DOWN) {
            if (!logged) {
                log.warn("{}: {} {} is DOWN; waiting for it to answer health checks", job.id(), role, connection);
                logged = true;
            }
            job.state(waiting);
            if (!gate.sleep(DOWN_POLL, job)) {
                return false;
            }
        }
        return gate.awaitRunnable(job);
    }
}
