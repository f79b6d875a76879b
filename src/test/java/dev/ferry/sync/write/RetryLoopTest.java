package dev.ferry.sync.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoSocketException;
import com.mongodb.ServerAddress;
import dev.ferry.pool.PoolClosedException;
import dev.ferry.sync.source.SourceException;
import dev.ferry.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The one retry loop, with a subject that moves a clock instead of sleeping, and no jitter. */
class RetryLoopTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofMillis(250), 0);

    private final MutableClock clock = new MutableClock(T0);
    private final Subject subject = new Subject();
    private final RetryLoop loop = new RetryLoop(new ErrorClassifier(), BACKOFF, 3, List.of("s3cret"),
            () -> new SplittableRandom(1));

    @Test
    void transientFailuresAreRetriedAfterTheBackoffAndCountedAsRetries() throws Exception {
        Script attempt = new Script(socketError(), socketError(), "value");
        Retried<String> result = loop.run(7, subject, attempt);
        Retried.Done<String> done = assertInstanceOf(Retried.Done.class, result);
        assertEquals("value", done.value());
        assertEquals(2, done.retries());
        assertEquals(3, attempt.tries);
        assertEquals(2, attempt.abandoned, "each failed try drops what it held");
        assertEquals(2, subject.failures.size());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), subject.waits);
        assertEquals(T0.plusMillis(300), clock.instant(), "waited exactly the nominal delays");
    }

    @Test
    void theLastAttemptAllowedGivesUpWithTheLastErrorScrubbed() {
        Script attempt = new Script(socketError(), socketError(), socketError(), "never");
        AttemptFailure failure = assertThrows(AttemptFailure.class, () -> loop.run(2, subject, attempt));
        assertTrue(failure.gaveUp());
        assertEquals(3, failure.attempts());
        assertFalse(failure.getMessage().contains("s3cret"), failure.getMessage());
        assertTrue(failure.getMessage().contains("network connection to MongoDB failed"), failure.getMessage());
        assertEquals(3, subject.failures.size(), "the last failure is reported too");
        assertEquals(2, subject.waits.size(), "no wait after the last attempt");
        assertEquals(T0.plusMillis(300), clock.instant());
    }

    @Test
    void aCheckedExceptionIsPermanentAndNeitherWaitsNorAbandons() {
        Script attempt = new Script(new SourceException("line 3: not valid JSON; password s3cret"), "never");
        AttemptFailure failure = assertThrows(AttemptFailure.class, () -> loop.run(1, subject, attempt));
        assertFalse(failure.gaveUp());
        assertEquals(1, failure.attempts());
        assertEquals("line 3: not valid JSON; password ****", failure.getMessage());
        assertEquals(0, attempt.abandoned);
        assertTrue(subject.failures.isEmpty());
        assertEquals(T0, clock.instant());
    }

    @Test
    void anUncheckedPermanentErrorFailsAfterOneAttempt() {
        Script attempt = new Script(new IllegalArgumentException("bad"), "never");
        AttemptFailure failure = assertThrows(AttemptFailure.class, () -> loop.run(1, subject, attempt));
        assertFalse(failure.gaveUp());
        assertEquals(1, failure.attempts());
        assertEquals("IllegalArgumentException: bad", failure.getMessage());
        assertEquals(1, attempt.abandoned);
    }

    @Test
    void aStopDuringTheBackoffStopsTheLoop() throws Exception {
        subject.allowWaits = 0;
        Script attempt = new Script(socketError(), "never");
        assertInstanceOf(Retried.Stopped.class, loop.run(1, subject, attempt));
        assertEquals(1, attempt.tries);
        assertEquals(1, subject.failures.size());
    }

    @Test
    void anErrorWhileStoppingStopsWithoutCountingAFailure() throws Exception {
        subject.stopping = true;
        Script attempt = new Script(socketError(), "never");
        assertInstanceOf(Retried.Stopped.class, loop.run(1, subject, attempt));
        assertEquals(1, attempt.abandoned);
        assertTrue(subject.failures.isEmpty());
        assertEquals(T0, clock.instant());
    }

    @Test
    void aClosedPoolStopsAtOnce() throws Exception {
        Script attempt = new Script(new PoolClosedException("pool dest is closed"), "never");
        assertInstanceOf(Retried.Stopped.class, loop.run(1, subject, attempt));
        assertEquals(0, attempt.abandoned);
        assertTrue(subject.failures.isEmpty());
    }

    @Test
    void notReadyStopsBeforeAnyTry() throws Exception {
        Script attempt = new Script("never");
        attempt.ready = false;
        assertInstanceOf(Retried.Stopped.class, loop.run(1, subject, attempt));
        assertEquals(0, attempt.tries);
    }

    @Test
    void atLeastOneAttemptIsRequired() {
        assertThrows(IllegalArgumentException.class,
                () -> new RetryLoop(new ErrorClassifier(), BACKOFF, 0, List.of(), () -> new SplittableRandom(1)));
    }

    private static MongoSocketException socketError() {
        return new MongoSocketException("connection reset (uri mongodb://u:s3cret@db)", new ServerAddress("db", 27017));
    }

    /** Throws or returns the scripted results in order. */
    private static final class Script implements Attempt<String> {
        private final Deque<Object> results;
        int tries;
        int abandoned;
        boolean ready = true;

        Script(Object... results) {
            this.results = new ArrayDeque<>(List.of(results));
        }

        @Override
        public String run() throws Exception {
            tries++;
            Object next = results.removeFirst();
            if (next instanceof Exception e) {
                throw e;
            }
            return (String) next;
        }

        @Override
        public boolean ready() {
            return ready;
        }

        @Override
        public void abandon() {
            abandoned++;
        }
    }

    /** Waits by moving the clock. */
    private final class Subject implements RetrySubject {
        final List<String> failures = new ArrayList<>();
        final List<Duration> waits = new ArrayList<>();
        boolean stopping;
        int allowWaits = Integer.MAX_VALUE;

        @Override
        public String name() {
            return "job";
        }

        @Override
        public boolean isStopping() {
            return stopping;
        }

        @Override
        public void failedTransiently(String message) {
            failures.add(message);
        }

        @Override
        public boolean backOff(Duration delay) {
            if (waits.size() >= allowWaits) {
                return false;
            }
            waits.add(delay);
            clock.advance(delay);
            return true;
        }
    }
}
