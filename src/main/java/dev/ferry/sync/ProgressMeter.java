package dev.ferry.sync;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A running job's speed: documents per second and the time left, measured over about the last
 * {@link #WINDOW} from the samples its worker records after every acknowledged chunk. Rates are taken
 * up to "now" of the injected clock, so a job that stalls (paused, destination down) decays to 0
 * documents per second and an unknown ETA instead of showing its last good speed forever.
 */
final class ProgressMeter {
    static final Duration WINDOW = Duration.ofSeconds(10);
    static final double UNKNOWN = -1;
    /** Bounds memory for jobs of tiny chunks; the window then covers the last samples only. */
    private static final int MAX_SAMPLES = 4096;

    private record Sample(Instant at, long documents, double fraction) {
    }

    private final Clock clock;
    private final Deque<Sample> samples = new ArrayDeque<>();

    /**
     * @param documents written before this run (a resumed job's checkpoint)
     * @param fraction  how far the source is at the start, or {@link #UNKNOWN}
     */
    ProgressMeter(Clock clock, long documents, double fraction) {
        this.clock = clock;
        samples.add(new Sample(clock.instant(), documents, fraction));
    }

    synchronized void record(long documents, double fraction) {
        Instant now = clock.instant();
        samples.addLast(new Sample(now, documents, fraction));
        Instant windowStart = now.minus(WINDOW);
        // keep one sample at or before the window's start: it is the baseline of the rates
        while (samples.size() > 2 && !secondOldest().at().isAfter(windowStart) || samples.size() > MAX_SAMPLES) {
            samples.removeFirst();
        }
    }

    private Sample secondOldest() {
        var it = samples.iterator();
        it.next();
        return it.next();
    }

    /** The source's fraction at the last chunk, 0.0–1.0, or {@link #UNKNOWN}. */
    synchronized double fraction() {
        return samples.getLast().fraction();
    }

    /** Documents per second over the last ~10 s; 0.0 before any time has passed. */
    synchronized double documentsPerSecond() {
        Instant now = clock.instant();
        Sample base = baseline(now, false);
        double seconds = seconds(base.at(), now);
        return seconds <= 0 ? 0.0 : (samples.getLast().documents() - base.documents()) / seconds;
    }

    /** Seconds left at the speed of the last ~10 s, rounded up; -1 while the fraction or its speed is unknown. */
    synchronized long etaSeconds() {
        Sample last = samples.getLast();
        if (last.fraction() < 0) {
            return -1;
        }
        if (last.fraction() >= 1.0) {
            return 0;
        }
        Instant now = clock.instant();
        Sample base = baseline(now, true);
        double seconds = seconds(base.at(), now);
        double gained = last.fraction() - base.fraction();
        if (base.fraction() < 0 || seconds <= 0 || gained <= 0) {
            return -1;
        }
        // less a hair, so that floating-point noise never turns 82.000000001 s into 83
        return (long) Math.ceil((1.0 - last.fraction()) * seconds / gained - 1e-6);
    }

    /** The newest sample at or before the window's start, else the oldest one (with a known fraction if asked). */
    private Sample baseline(Instant now, boolean knownFraction) {
        Instant windowStart = now.minus(WINDOW);
        Sample base = null;
        for (Sample s : samples) {
            if (knownFraction && s.fraction() < 0) {
                continue;
            }
            if (base == null || !s.at().isAfter(windowStart)) {
                base = s;
            } else {
                break;
            }
        }
        return base == null ? samples.getFirst() : base;
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }
}
