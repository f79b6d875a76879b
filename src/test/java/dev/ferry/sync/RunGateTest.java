package dev.ferry.sync;

import dev.ferry.sync.retry.JobState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.job.DestinationSpec;
import dev.ferry.job.JobSpec;
import dev.ferry.job.SourceSpec;
import dev.ferry.job.WriteMode;
import dev.ferry.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where runners wait. Every wake-up is awaited as an event (a future completing, a state showing),
 * and every wait the gate is given is an hour long, so a test passes only if the gate itself wakes.
 */
class RunGateTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private final RunGate gate = new RunGate();
    private final RunningJob job = new RunningJob(new JobSpec("job", new SourceSpec.Inline(List.of()),
            new DestinationSpec("dest", "db", "c"), WriteMode.UPSERT, List.of("_id"), 10), Instant.EPOCH);
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> new Thread(r, "gate-test-runner"));

    @AfterEach
    void stop() {
        runner.shutdownNow();
    }

    @Test
    void aPausedRunnerShowsPausedAndGoesOnAtResume() throws Exception {
        job.state(JobState.RUNNING);
        gate.pause();
        Future<Boolean> runnable = runner.submit(() -> gate.awaitRunnable(job));
        Await.until(Duration.ofSeconds(10), () -> job.state() == JobState.PAUSED, "the runner shows PAUSED");
        assertFalse(runnable.isDone());
        gate.resume();
        assertTrue(runnable.get(10, TimeUnit.SECONDS), "resumed: go on");
        assertEquals(JobState.RUNNING, job.state(), "back to the state it had");
    }

    @Test
    void stopWakesABackoffAtOnceAndSaysStop() throws Exception {
        Future<Boolean> sleeping = runner.submit(() -> gate.sleep(HOUR, job));
        gate.stop();
        assertFalse(sleeping.get(10, TimeUnit.SECONDS), "a stop never waits out a backoff");
        assertFalse(gate.awaitRunnable(job), "after stop no runner goes on");
    }

    @Test
    void cancelWakesAPausedRunnerAndSaysStop() throws Exception {
        gate.pause();
        Future<Boolean> runnable = runner.submit(() -> gate.awaitRunnable(job));
        Await.until(Duration.ofSeconds(10), () -> job.state() == JobState.PAUSED, "paused");
        job.cancel();
        gate.signal();
        assertFalse(runnable.get(10, TimeUnit.SECONDS));
    }

    @Test
    void anUnpausedGateLetsARunnerThroughWithoutWaiting() throws Exception {
        assertTrue(CompletableFuture.supplyAsync(() -> {
            try {
                return gate.awaitRunnable(job);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, runner).get(10, TimeUnit.SECONDS));
    }
}
