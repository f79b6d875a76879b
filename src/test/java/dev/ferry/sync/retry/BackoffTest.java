package dev.ferry.sync.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), Backoff.EQUAL_JITTER);

    @Test
    void nominalDelayDoublesPerAttemptUpToTheCap() {
        assertEquals(Duration.ofMillis(500), backoff.nominal(1));
        assertEquals(Duration.ofMillis(1000), backoff.nominal(2));
        assertEquals(Duration.ofMillis(16000), backoff.nominal(6));
        assertEquals(Duration.ofSeconds(30), backoff.nominal(7));
        assertEquals(Duration.ofSeconds(30), backoff.nominal(1000));
    }

    @Test
    void jitteredDelayStaysBetweenHalfAndAllOfTheNominalAndVaries() {
        SplittableRandom random = new SplittableRandom(42);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1000; i++) {
            long ms = backoff.delay(3, random).toMillis();
            assertTrue(ms >= 1000 && ms <= 2000, ms + " ms");
            min = Math.min(min, ms);
            max = Math.max(max, ms);
        }
        assertTrue(max - min > 500, "jitter spreads retries: " + min + ".." + max);
        assertEquals(Duration.ofMillis(2000), new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 0).delay(3, random));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.9));
        assertThrows(IllegalArgumentException.class, () -> backoff.delay(0, new SplittableRandom()));
    }
}
