package dev.ferry.sync.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoSocketException;
import com.mongodb.ServerAddress;
import dev.ferry.pool.PoolClosedException;
import dev.ferry.pool.PoolState;
import dev.ferry.sync.retry.RetryPolicy.Side;
import dev.ferry.sync.source.SourceException;
import dev.ferry.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The one retry policy, with a job that moves a clock instead of sleeping, and no jitter. */
class RetryPolicyTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofMillis(250), 0);

    private final MutableClock clock = new MutableClock(T0);
    private final Subject subject = new Subject();
    private final Map<String, PoolState> pools = new HashMap<>();
    private final RetryPolicy loop = new RetryPolicy(new ErrorClassifier(), BACKOFF, 3, List.of("s3cret"),
            () -> new SplittableRandom(1), name -> pools.getOrDefault(name, PoolState.OPEN));

    @Test
    void transientFailuresAreRetriedAfterTheBackoffAndCountedAsRetries() throws Exception {
        Script attempt = new Script(socketError(), socketError(), "value");
        Retried<String> result = loop.run(subject, Side.DESTINATION, "dest", 7, attempt);
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
        AttemptFailure failure = assertThrows(AttemptFailure.class, () -> loop.run(subject, Side.DESTINATION, "dest", 2, attempt));
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
        AttemptFailure failure = assertThrows(AttemptFailure.class, () -> loop.run(subject, Side.DESTINATION, "dest", 1, attempt));
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
        AttemptFailure failure = assertThrows(AttemptFailure.class, () -> loop.run(subject, Side.DESTINATION, "dest", 1, attempt));
        assertFalse(failure.gaveUp());
        assertEquals(1, failure.attempts());
        assertEquals("IllegalArgumentException: bad", failure.getMessage());
        assertEquals(1, attempt.abandoned);
    }

    @Test
    void aStopDuringTheBackoffStopsTheLoop() throws Exception {
        subject.allowWaits = 0;
        Script attempt = new Script(socketError(), "never");
        assertInstanceOf(Retried.Stopped.class, loop.run(subject, Side.DESTINATION, "dest", 1, attempt));
        assertEquals(1, attempt.tries);
        assertEquals(1, subject.failures.size());
    }

    @Test
    void anErrorWhileStoppingStopsWithoutCountingAFailure() throws Exception {
        subject.stopping = true;
        Script attempt = new Script(socketError(), "never");
        assertInstanceOf(Retried.Stopped.class, loop.run(subject, Side.DESTINATION, "dest", 1, attempt));
        assertEquals(1, attempt.abandoned);
        assertTrue(subject.failures.isEmpty());
        assertEquals(T0, clock.instant());
    }

    @Test
    void aClosedPoolStopsAtOnce() throws Exception {
        Script attempt = new Script(new PoolClosedException("pool dest is closed"), "never");
        assertInstanceOf(Retried.Stopped.class, loop.run(subject, Side.DESTINATION, "dest", 1, attempt));
        assertEquals(0, attempt.abandoned);
        assertTrue(subject.failures.isEmpty());
    }

    @Test
    void aJobThatMustStopWhilePausedStopsBeforeAnyTry() throws Exception {
        Script attempt = new Script("never");
        subject.runnable = false;
        assertInstanceOf(Retried.Stopped.class, loop.run(subject, Side.DESTINATION, "dest", 1, attempt));
        assertEquals(0, attempt.tries);
    }

    @Test
    void aDownDestinationIsWaitedForWithoutUsingAttemptsAndTheStateComesBack() throws Exception {
        pools.put("dest", PoolState.DOWN);
        subject.onSleep = () -> {
            if (subject.waits.size() == 75) {
                pools.put("dest", PoolState.OPEN); // 75 s later the health checks see it again
            }
        };
        subject.state = JobState.RUNNING;
        Script attempt = new Script("value");
        Retried.Done<?> done = assertInstanceOf(Retried.Done.class,
                loop.run(subject, Side.DESTINATION, "dest", 1, attempt));
        assertEquals(0, done.retries());
        assertEquals(1, attempt.tries, "no attempt was spent on the DOWN pool");
        assertEquals(List.of(JobState.WAITING_FOR_DESTINATION), subject.statesSeen);
        assertEquals(JobState.RUNNING, subject.state);
        assertEquals(T0.plusSeconds(75), clock.instant());
    }

    @Test
    void aDownSourceIsWaitedForTheSameWayAsADownDestination() throws Exception {
        pools.put("src", PoolState.DOWN);
        subject.onSleep = () -> {
            if (subject.waits.size() == 75) {
                pools.put("src", PoolState.OPEN);
            }
        };
        subject.state = JobState.RUNNING;
        Script attempt = new Script(socketError(), "value");
        Retried.Done<?> done = assertInstanceOf(Retried.Done.class, loop.run(subject, Side.SOURCE, "src", 1, attempt));
        assertEquals(1, done.retries(), "3 attempts allowed, only the failed try counted");
        assertEquals(JobState.WAITING_FOR_SOURCE, subject.statesSeen.get(0));
        assertEquals(JobState.RUNNING, subject.state);
    }

    @Test
    void aStopWhileWaitingForADownPoolStops() throws Exception {
        pools.put("src", PoolState.DOWN);
        subject.allowWaits = 3;
        Script attempt = new Script("never");
        assertInstanceOf(Retried.Stopped.class, loop.run(subject, Side.SOURCE, "src", 1, attempt));
        assertEquals(0, attempt.tries);
        assertEquals(JobState.WAITING_FOR_SOURCE, subject.state);
    }

    @Test
    void aFileSourceHasNoPoolToWaitFor() throws Exception {
        pools.put("null", PoolState.DOWN);
        Script attempt = new Script("value");
        assertInstanceOf(Retried.Done.class, loop.run(subject, Side.SOURCE, null, 1, attempt));
        assertTrue(subject.waits.isEmpty());
    }

    @Test
    void aFailingDiskIsRetriedUntilItWorksShowingWaitingForDiskWithItsError() throws Exception {
        subject.state = JobState.FOLLOWING;
        int[] calls = new int[1];
        assertTrue(loop.durably(subject, "write the checkpoint", () -> {
            if (++calls[0] <= 40) {
                throw new java.io.IOException("No space left on device");
            }
        }));
        assertEquals(41, calls[0], "a disk is never given up on");
        assertTrue(subject.statesSeen.contains(JobState.WAITING_FOR_DISK));
        assertEquals(JobState.FOLLOWING, subject.state, "the job's state before the fault comes back");
        assertEquals("cannot write the checkpoint: java.io.IOException: No space left on device", subject.lastError);
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250)),
                subject.waits.subList(0, 3), "the nominal backoff, capped");
    }

    @Test
    void aStopWhileTheDiskFailsGivesUpTheWriteButNotTheJob() throws Exception {
        subject.allowWaits = 2;
        int[] calls = new int[1];
        assertFalse(loop.durably(subject, "write the checkpoint", () -> {
            calls[0]++;
            throw new java.io.IOException("Read-only file system");
        }));
        assertEquals(3, calls[0]);
        assertEquals(JobState.WAITING_FOR_DISK, subject.state);
    }

    @Test
    void atLeastOneAttemptIsRequired() {
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(new ErrorClassifier(), BACKOFF, 0, List.of(), () -> new SplittableRandom(1),
                        name -> PoolState.OPEN));
    }

    private static MongoSocketException socketError() {
        return new MongoSocketException("connection reset (uri mongodb://u:s3cret@db)", new ServerAddress("db", 27017));
    }

    /** Throws or returns the scripted results in order. */
    private static final class Script implements Attempt<String> {
        private final Deque<Object> results;
        int tries;
        int abandoned;

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
        public void abandon() {
            abandoned++;
        }
    }

    /** Waits by moving the clock; records the states it was shown. */
    private final class Subject implements JobControl {
        final List<String> failures = new ArrayList<>();
        final List<Duration> waits = new ArrayList<>();
        final List<JobState> statesSeen = new ArrayList<>();
        JobState state = JobState.RUNNING;
        String lastError = "";
        boolean stopping;
        boolean runnable = true;
        int allowWaits = Integer.MAX_VALUE;
        Runnable onSleep = () -> { };

        @Override
        public String id() {
            return "job";
        }

        @Override
        public JobState state() {
            return state;
        }

        @Override
        public void state(JobState newState) {
            if (newState != state && newState != JobState.RUNNING && !statesSeen.contains(newState)) {
                statesSeen.add(newState);
            }
            state = newState;
        }

        @Override
        public void lastError(String message) {
            lastError = message;
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
        public boolean awaitRunnable() {
            return runnable;
        }

        @Override
        public boolean sleep(Duration delay) {
            if (waits.size() >= allowWaits) {
                return false;
            }
            waits.add(delay);
            clock.advance(delay);
            onSleep.run();
            return true;
        }
    }
}
