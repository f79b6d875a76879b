package dev.ferry.sync;

import dev.ferry.sync.retry.JobState;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where jobs wait: while the orchestrator is paused, between retry attempts, for a DOWN pool or the disk. Pause, resume,
 * stop and cancel wake them at once, so that a stop never waits out a backoff. A job stops when the daemon stops or
 * when it is to go on elsewhere ({@link RunningJob#isStopping()}).
 */
final class RunGate {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean paused;
    private volatile boolean stopping;

    void pause() {
        paused = true;
        signal();
    }

    void resume() {
        paused = false;
        signal();
    }

    void stop() {
        stopping = true;
        signal();
    }

    boolean isPaused() {
        return paused;
    }

    boolean isStopping() {
        return stopping;
    }

    /** Wakes waiters so that they look at their job again (after a cancel). */
    void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean mustStop(RunningJob job) {
        return stopping || job.isStopping() || job.isCancelled();
    }

    /** Blocks while paused. @return false if the job must stop (shutdown or cancel) */
    boolean awaitRunnable(RunningJob job) throws InterruptedException {
        JobState before = job.state();
        lock.lock();
        try {
            while (paused && !mustStop(job)) {
                job.state(JobState.PAUSED);
                changed.await();
            }
        } finally {
            lock.unlock();
        }
        if (job.state() == JobState.PAUSED) {
            job.state(before == JobState.PAUSED ? JobState.RUNNING : before);
        }
        return !mustStop(job);
    }

    /** Sleeps up to {@code d}. @return false if the job must stop (shutdown or cancel) */
    boolean sleep(Duration d, RunningJob job) throws InterruptedException {
        long remaining = d.toNanos();
        lock.lock();
        try {
            while (remaining > 0 && !mustStop(job)) {
                remaining = changed.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
        return !mustStop(job);
    }
}
