package dev.ferry.sync.write;

import dev.ferry.config.Redaction;
import dev.ferry.pool.PoolClosedException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry policy of every chunk, read or write: try, judge the error, back off with jitter, give
 * up after {@code retry.maxAttempts}. Shared by all jobs; the job's side lives in {@link RetrySubject}.
 */
public final class RetryLoop {
    private static final Logger log = LoggerFactory.getLogger(RetryLoop.class);

    private final ErrorClassifier classifier;
    private final Backoff backoff;
    private final int maxAttempts;
    private final List<String> secrets;
    private final Supplier<? extends RandomGenerator> random;

    /**
     * @param secrets values scrubbed from every message (passwords of connection strings)
     * @param random  the jitter source of the calling thread, e.g. {@code ThreadLocalRandom::current}
     */
    public RetryLoop(ErrorClassifier classifier, Backoff backoff, int maxAttempts, List<String> secrets,
                     Supplier<? extends RandomGenerator> random) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.secrets = List.copyOf(secrets);
        this.random = Objects.requireNonNull(random, "random");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
    }

    /**
     * Tries {@code attempt} until it succeeds, fails for good, or the job must stop.
     *
     * @param chunkNo the chunk the attempt is for, as the log line names it
     * @throws AttemptFailure on a permanent error, or a transient one at the last attempt allowed
     */
    public <T> Retried<T> run(long chunkNo, RetrySubject subject, Attempt<T> attempt)
            throws AttemptFailure, InterruptedException {
        int attempts = 0;
        while (true) {
            if (!attempt.ready()) {
                return new Retried.Stopped<>();
            }
            attempts++;
            try {
                return new Retried.Done<>(attempt.run(), attempts - 1);
            } catch (InterruptedException e) {
                throw e;
            } catch (PoolClosedException e) {
                return new Retried.Stopped<>(); // shutting down: the chunk was not acknowledged and is done again on resume
            } catch (RuntimeException e) {
                attempt.abandon();
                if (subject.isStopping()) {
                    return new Retried.Stopped<>();
                }
                String message = scrub(classifier.describe(e));
                if (!classifier.isTransient(e)) {
                    throw new AttemptFailure(message, attempts, false, e);
                }
                subject.failedTransiently(message);
                if (attempts >= maxAttempts) {
                    throw new AttemptFailure(message, attempts, true, e);
                }
                Duration delay = backoff.delay(attempts, random.get());
                log.warn("{}: chunk {} attempt {} of {} failed, retrying in {} ms: {}", subject.name(), chunkNo, attempts,
                        maxAttempts, delay.toMillis(), message);
                if (!subject.backOff(delay)) {
                    return new Retried.Stopped<>();
                }
            } catch (Exception e) {
                throw new AttemptFailure(scrub(classifier.describe(e)), attempts, false, e);
            }
        }
    }

    private String scrub(String message) {
        return Redaction.text(message, secrets);
    }
}
