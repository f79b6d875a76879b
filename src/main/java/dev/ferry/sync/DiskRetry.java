package dev.ferry.sync;

import dev.ferry.sync.write.Backoff;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a checkpoint or spool write until it works or the job must stop: a full or read-only disk
 * loses no job. Unlike a chunk it is never given up on, since giving up would lose the job's state.
 */
final class DiskRetry {
    private static final Logger log = LoggerFactory.getLogger(DiskRetry.class);

    private final Backoff backoff;
    private final RunGate gate;

    DiskRetry(Backoff backoff, RunGate gate) {
        this.backoff = backoff;
        this.gate = gate;
    }

    @FunctionalInterface
    interface IoAction {
        void run() throws IOException, InterruptedException;
    }

    /** @return false if the job must stop (shutdown or cancel) before it worked */
    boolean durably(RunningJob job, String what, IoAction action) throws InterruptedException {
        return retry(job.id(), job, what, action);
    }

    /** For a job file rejected before it ran: no job to show the wait on. */
    boolean durably(String fileName, String what, IoAction action) throws InterruptedException {
        return retry(fileName, null, what, action);
    }

    private boolean retry(String name, RunningJob job, String what, IoAction action) throws InterruptedException {
        int attempt = 0;
        while (true) {
            try {
                action.run();
                if (job != null && job.state() == JobState.WAITING_FOR_DISK) {
                    log.info("{}: disk writable again; could {}", job.id(), what);
                    job.state(JobState.RUNNING);
                }
                return true;
            } catch (IOException e) {
                attempt++;
                Duration delay = backoff.nominal(Math.min(attempt, 30));
                log.error("{}: cannot {}: {}; the job is kept and this is retried in {} ms (check free space and "
                        + "permissions of the spool and state directories)", name, what, e.toString(), delay.toMillis());
                if (job != null) {
                    // the error first: whoever sees WAITING_FOR_DISK must find the reason beside it
                    job.lastError("cannot " + what + ": " + e);
                    job.state(JobState.WAITING_FOR_DISK);
                    if (!gate.sleep(delay, job)) {
                        return false;
                    }
                } else {
                    if (gate.isStopping()) {
                        return false;
                    }
                    Thread.sleep(delay.toMillis());
                }
            }
        }
    }
}
