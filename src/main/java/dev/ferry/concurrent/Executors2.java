package dev.ferry.concurrent;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creating and stopping ferry's executors the same way everywhere. */
public final class Executors2 {
    private static final Logger log = LoggerFactory.getLogger(Executors2.class);

    private Executors2() {
    }

    /** A scheduler whose cancelled tasks leave the queue at once and whose threads are named. */
    public static ScheduledThreadPoolExecutor scheduler(String name, int threads) {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(threads, new NamedThreadFactory(name, true));
        s.setRemoveOnCancelPolicy(true);
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return s;
    }

    /**
     * Shuts down, waits up to {@code wait}, then interrupts what is left and says so in the log.
     *
     * @return true if every task ended in time
     */
    public static boolean shutdown(String name, ExecutorService executor, Duration wait) {
        executor.shutdown();
        try {
            if (executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            log.warn("{}: tasks still running after {} ms; interrupting them", name, wait.toMillis());
            cancelQueued(executor);
            if (!executor.awaitTermination(Math.max(1000, wait.toMillis() / 4), TimeUnit.MILLISECONDS)) {
                log.warn("{}: tasks ignored the interrupt and are left behind", name);
            }
            return false;
        } catch (InterruptedException e) {
            cancelQueued(executor);
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Interrupts what runs and cancels what never ran, so that nobody waits for a task that will not run. */
    private static void cancelQueued(ExecutorService executor) {
        for (Runnable never : executor.shutdownNow()) {
            if (never instanceof Future<?> future) {
                future.cancel(false);
            }
        }
    }

    /**
     * Waits until {@code latch} opens or {@code deadlineNanos} ({@link System#nanoTime()}) passes, even
     * when this thread is interrupted (a stopping job must still wait for its helpers to let go); the
     * interrupt flag is set again afterwards if it was set before or during the wait.
     *
     * @return whether the latch opened in time
     */
    public static boolean awaitUninterruptibly(java.util.concurrent.CountDownLatch latch, long deadlineNanos) {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return latch.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
