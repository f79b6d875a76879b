package dev.ferry.sync;

import dev.ferry.config.Redaction;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The retry policy of one job's chunks: count, back off with jitter, give up after retry.maxAttempts. */
final class Retrier {
    private static final Logger log = LoggerFactory.getLogger(Retrier.class);

    private final SyncContext ctx;

    Retrier(SyncContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Counts a transient failure of chunk {@code chunkNo} and sleeps the backoff.
     *
     * @return false if the job must stop (shutdown or cancel) instead of retrying
     * @throws JobFailure when the attempts are used up
     */
    boolean retryAfter(RunningJob job, RuntimeException e, long chunkNo, int attempt)
            throws JobFailure, InterruptedException {
        String message = scrub(ctx.classifier().describe(e));
        job.lastError(message);
        ctx.statistics().chunkRetries.increment();
        if (attempt >= ctx.maxAttempts()) {
            throw new JobFailure(JobFailure.GAVE_UP, "chunk " + chunkNo + " failed " + attempt
                    + " times (retry.maxAttempts); last error: " + message
                    + ". Fix the cause, then move the job back into incoming/", chunkNo, attempt);
        }
        Duration delay = ctx.backoff().delay(attempt, ThreadLocalRandom.current());
        log.warn("{}: chunk {} attempt {} of {} failed, retrying in {} ms: {}", job.id(), chunkNo, attempt,
                ctx.maxAttempts(), delay.toMillis(), message);
        job.state(JobState.RETRYING);
        return ctx.gate().sleep(delay, job);
    }

    String scrub(String message) {
        return Redaction.text(message, ctx.secrets());
    }
}
