package dev.ferry.sync.retry;

import dev.ferry.config.FerrySettings;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff between chunk attempts: nominal = initial × 2^(attempt-1), capped at max,
 * then "equal jitter" scaled by {@code jitter}: the delay is uniform in
 * [nominal × (1 - jitter), nominal]. With jitter at most 0.5 a retry never comes sooner than half
 * the nominal delay, so retries of many workers spread out without hammering a recovering server.
 *
 * @param jitter fraction of the nominal delay that is randomized, 0 to 0.5
 */
public record Backoff(Duration initial, Duration max, double jitter) {

    public static final double EQUAL_JITTER = 0.5;

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive, was " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is less than initial backoff " + initial);
        }
        if (!(jitter >= 0 && jitter <= 0.5)) {
            throw new IllegalArgumentException("jitter must be between 0 and 0.5, was " + jitter);
        }
    }

    /** retry.initialBackoffMillis / retry.maxBackoffMillis with equal jitter. */
    public static Backoff of(FerrySettings settings) {
        return new Backoff(settings.retryInitialBackoff(), settings.retryMaxBackoff(), EQUAL_JITTER);
    }

    /** The nominal (un-jittered) delay before retry {@code attempt} (1 = the first retry). */
    public Duration nominal(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
        long initialNanos = initial.toNanos();
        long maxNanos = max.toNanos();
        int shift = Math.min(attempt - 1, 62);
        long nanos = initialNanos > (maxNanos >> shift) ? maxNanos : initialNanos << shift;
        return Duration.ofNanos(Math.min(nanos, maxNanos));
    }

    public Duration delay(int attempt, RandomGenerator random) {
        long nominal = nominal(attempt).toNanos();
        long spread = (long) (nominal * jitter);
        long cut = spread <= 0 ? 0 : random.nextLong(spread + 1);
        return Duration.ofNanos(nominal - cut);
    }
}
