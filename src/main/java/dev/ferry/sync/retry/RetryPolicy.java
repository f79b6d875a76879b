package dev.ferry.sync.retry;

import dev.ferry.config.Redaction;
import dev.ferry.pool.PoolClosedException;
import dev.ferry.pool.PoolState;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retry policy of every stage of a job: source reads, destination writes, change stream
 * reads and applies, and the disk. A stage's try is repeated on transient errors with backoff and
 * jitter until {@code retry.maxAttempts}; a permanent error ends it at once. Before every try the pool
 * of the side the stage works on is looked at: while it is DOWN the job waits
 * ({@code WAITING_FOR_SOURCE} or {@code WAITING_FOR_DESTINATION}) without using attempts, the same
 * way for either side. A disk write is never given up on, since giving up would lose the job's state.
 *
 * <p>Threading: shared by all jobs and stateless between calls; each call runs on the calling job's
 * thread and waits only through its {@link JobControl}, so pause, cancel and shutdown end a wait at once.
 */
public final class RetryPolicy {
    private static final Logger log = LoggerFactory.getLogger(RetryPolicy.class);
    /** How often a DOWN pool is looked at again; its health checks decide when it is UP. */
    static final Duration DOWN_POLL = Duration.ofSeconds(1);
    /**
     * Tries a cleared connection pool may fail without using an attempt: the driver clears a pool when
     * another operation on the server failed, so every lane of every job on it fails at once, through no
     * fault of its own. Bounded, so that a pool cleared again and again still ends in retry.maxAttempts.
     */
    static final int FREE_POOL_CLEARED = 10;

    /** The side of a job a stage works on, and the state the job shows while that side's pool is DOWN. */
    public enum Side {
        SOURCE(JobState.WAITING_FOR_SOURCE, "source"),
        DESTINATION(JobState.WAITING_FOR_DESTINATION, "destination");

        private final JobState waiting;
        private final String word;

        Side(JobState waiting, String word) {
            this.waiting = waiting;
            this.word = word;
        }
    }

    /** A write to the spool or the state directory. */
    @FunctionalInterface
    public interface IoAction {
        void run() throws IOException, InterruptedException;
    }

    private final ErrorClassifier classifier;
    private final Backoff backoff;
    private final int maxAttempts;
    private final List<String> secrets;
    private final Supplier<? extends RandomGenerator> random;
    private final Function<String, PoolState> pools;

    /**
     * @param secrets values scrubbed from every message (passwords of connection strings)
     * @param random  the jitter source of the calling thread, e.g. {@code ThreadLocalRandom::current}
     * @param pools   the state of a named connection's pool
     */
    public RetryPolicy(ErrorClassifier classifier, Backoff backoff, int maxAttempts, List<String> secrets,
                       Supplier<? extends RandomGenerator> random, Function<String, PoolState> pools) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.secrets = List.copyOf(secrets);
        this.random = Objects.requireNonNull(random, "random");
        this.pools = Objects.requireNonNull(pools, "pools");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
    }

    /**
     * Tries {@code attempt} until it succeeds, fails for good, or the job must stop. A job's state
     * changed by the policy (RETRYING, WAITING_FOR_SOURCE or _DESTINATION) is set back to what it was
     * once a try succeeds; a state set meanwhile by others (PAUSED, FOLLOWING) is left as it is.
     *
     * @param connection the named connection the stage uses, whose DOWN pool is waited for; null for a file
     * @param chunkNo    the chunk (or batch of events) the attempt is for, as the log line names it
     * @throws AttemptFailure on a permanent error, or a transient one at the last attempt allowed
     */
    public <T> Retried<T> run(JobControl job, Side side, String connection, long chunkNo, Attempt<T> attempt)
            throws AttemptFailure, InterruptedException {
        JobState working = job.state();
        int attempts = 0;
        int freeRetries = 0;
        while (true) {
            if (!awaitPool(job, side, connection)) {
                return new Retried.Stopped<>();
            }
            attempts++;
            try {
                T value = attempt.run();
                if (job.state().isRetryWait()) {
                    job.state(working.isRetryWait() ? JobState.RUNNING : working);
                }
                return new Retried.Done<>(value, attempts - 1 + freeRetries);
            } catch (InterruptedException e) {
                throw e;
            } catch (PoolClosedException e) {
                return new Retried.Stopped<>(); // shutting down: the chunk was not acknowledged and is done again on resume
            } catch (RuntimeException e) {
                attempt.abandon();
                if (job.isStopping()) {
                    return new Retried.Stopped<>();
                }
                String message = scrub(classifier.describe(e));
                if (!classifier.isTransient(e)) {
                    throw new AttemptFailure(message, attempts, false, e);
                }
                job.failedTransiently(message);
                if (classifier.isPoolCleared(e) && freeRetries < FREE_POOL_CLEARED) {
                    freeRetries++;
                    attempts--; // cleared by another operation's failure: this try never reached the server
                } else if (attempts >= maxAttempts) {
                    throw new AttemptFailure(message, attempts, true, e);
                }
                Duration delay = backoff.delay(Math.max(1, attempts), random.get());
                log.warn("{}: chunk {} attempt {} of {} failed, retrying in {} ms: {}", job.id(), chunkNo,
                        Math.max(1, attempts), maxAttempts, delay.toMillis(), message);
                job.state(JobState.RETRYING);
                if (!job.sleep(delay) || !attempt.awaitTurn()) {
                    return new Retried.Stopped<>();
                }
            } catch (Exception e) {
                throw new AttemptFailure(scrub(classifier.describe(e)), attempts, false, e);
            }
        }
    }

    /** Waits while the pool is DOWN, then while the daemon is paused. @return false if the job must stop */
    private boolean awaitPool(JobControl job, Side side, String connection) throws InterruptedException {
        boolean logged = false;
        while (connection != null && pools.apply(connection) == PoolState.DOWN) {
            if (!logged) {
                log.warn("{}: {} {} is DOWN; waiting for it to answer health checks", job.id(), side.word, connection);
                logged = true;
            }
            job.state(side.waiting);
            if (!job.sleep(DOWN_POLL)) {
                return false;
            }
        }
        if (logged) {
            log.info("{}: {} {} answers again", job.id(), side.word, connection);
        }
        return job.awaitRunnable();
    }

    /**
     * Retries a checkpoint, rejected-records or spool write until it works or the job must stop: a full
     * or read-only disk loses no job. The job shows WAITING_FOR_DISK meanwhile, with the error beside it.
     *
     * @return false if the job must stop (shutdown or cancel) before it worked
     */
    public boolean durably(JobControl job, String what, IoAction action) throws InterruptedException {
        JobState working = job.state();
        int attempt = 0;
        while (true) {
            try {
                action.run();
                if (job.state() == JobState.WAITING_FOR_DISK) {
                    log.info("{}: disk writable again; could {}", job.id(), what);
                    job.state(working == JobState.WAITING_FOR_DISK ? JobState.RUNNING : working);
                }
                return true;
            } catch (IOException e) {
                Duration delay = backoff.nominal(Math.min(++attempt, 30));
                logDisk(job.id(), what, e, delay);
                // the error first: whoever sees WAITING_FOR_DISK must find the reason beside it
                job.lastError("cannot " + what + ": " + e);
                job.state(JobState.WAITING_FOR_DISK);
                if (!job.sleep(delay)) {
                    return false;
                }
            }
        }
    }

    /**
     * As {@link #durably(JobControl, String, IoAction)} for a job file rejected before it ran: no job
     * shows the wait.
     *
     * @param stopping true once the daemon shuts down
     */
    public boolean durably(String fileName, String what, IoAction action, BooleanSupplier stopping)
            throws InterruptedException {
        int attempt = 0;
        while (true) {
            try {
                action.run();
                return true;
            } catch (IOException e) {
                Duration delay = backoff.nominal(Math.min(++attempt, 30));
                logDisk(fileName, what, e, delay);
                if (stopping.getAsBoolean()) {
                    return false;
                }
                Thread.sleep(delay.toMillis());
            }
        }
    }

    private static void logDisk(String name, String what, IOException e, Duration delay) {
        log.error("{}: cannot {}: {}; the job is kept and this is retried in {} ms (check free space and "
                + "permissions of the spool and state directories)", name, what, e.toString(), delay.toMillis());
    }

    private String scrub(String message) {
        return Redaction.text(message, secrets);
    }
}
