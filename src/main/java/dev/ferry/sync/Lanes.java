package dev.ferry.sync;

import dev.ferry.sync.retry.Retried;
import org.bson.BsonValue;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A job's writes in flight (docs/jobs.md, "Lanes"): up to {@code lanes} at once, each on its own lane
 * thread and lease, handed back in the order they were handed out, so that the job records a prefix
 * of its source (or of its change stream) that is wholly acknowledged. Order by key is kept: a write
 * that touches a key of a write in flight is held back until that one is acknowledged. The bytes in
 * flight are capped. After a transient failure a write retries only once every write before it is
 * done, so a job in trouble retries one write at a time, in order.
 *
 * <p>Threading: {@link #hasRoom}, {@link #add}, {@link #recordHead} and {@link #close} are called by the
 * job's own thread only; the writes run on the lane executor and meet it again through their futures.
 *
 * @param <T> what the job keeps of each write until it records it (a chunk, a batch of events)
 * @param <R> what a write returns
 */
final class Lanes<T, R> implements AutoCloseable {

    /** One write's work on its lane. */
    @FunctionalInterface
    interface Write<R> {
        /** @param turn waited for before each retry: the write's turn comes once every write before it is done */
        Retried<R> write(Turn turn) throws JobFailure, InterruptedException;
    }

    /** A write's turn to retry. */
    @FunctionalInterface
    interface Turn {
        /** @return false if the job must stop */
        boolean await() throws InterruptedException;
    }

    /** A write handed back in order: what the job kept of it, and how it ended. */
    record Done<T, R>(T item, Retried<R> result) {
    }

    /** Records a write handed back in order. */
    @FunctionalInterface
    interface Recorder<T, R> {
        /** @return false if the write stopped or the job must stop before it was recorded */
        boolean record(T item, Retried<R> result) throws JobFailure, InterruptedException;
    }

    private record Entry<T, R>(long number, T item, List<Object> keys, long bytes,
                               CompletableFuture<Retried<R>> result) {
    }

    private final RunningJob job;
    private final int lanes;
    private final long maxBytes;
    private final Executor executor;
    private final Deque<Entry<T, R>> inFlight = new ArrayDeque<>();
    /** How many writes in flight touch each key. */
    private final Map<Object, Integer> keys = new HashMap<>();
    private final Turns turns = new Turns();
    private long bytes;
    /**
     * Set once a write came back stopped or could not be recorded: nothing after it may be recorded, or
     * the checkpoint would pass a write that never happened.
     */
    private boolean halted;

    /**
     * @param executor runs each write when there is more than one lane; with one, the job's own thread
     *                 writes, as before lanes
     */
    Lanes(RunningJob job, int lanes, long maxBytes, Executor executor) {
        this.job = job;
        this.lanes = lanes;
        this.maxBytes = maxBytes;
        this.executor = lanes == 1 ? Runnable::run : executor;
    }

    int lanes() {
        return lanes;
    }

    boolean isEmpty() {
        return inFlight.isEmpty();
    }

    /** Whether the oldest write in flight is done (then {@link #takeHead} does not wait). */
    boolean headDone() {
        return !inFlight.isEmpty() && inFlight.peekFirst().result().isDone();
    }

    /**
     * Whether a write of these keys and bytes may start now: a lane is free, the bytes fit (or nothing
     * is in flight), and no write in flight touches one of the keys.
     */
    boolean hasRoom(List<Object> writeKeys, long writeBytes) {
        if (inFlight.isEmpty()) {
            return true;
        }
        if (inFlight.size() >= lanes || bytes + writeBytes > maxBytes) {
            return false;
        }
        for (Object key : writeKeys) {
            if (keys.containsKey(key)) {
                return false;
            }
        }
        return true;
    }

    /** Starts a write on a lane; call only when {@link #hasRoom} says so. */
    void add(long number, T item, List<Object> writeKeys, long writeBytes, Write<R> write) {
        CompletableFuture<Retried<R>> result = new CompletableFuture<>();
        turns.started(number);
        try {
            executor.execute(() -> {
                try {
                    result.complete(write.write(() -> turns.await(number, job)));
                } catch (InterruptedException e) {
                    result.completeExceptionally(e);
                    Thread.currentThread().interrupt();
                } catch (Throwable e) {
                    // an Error too: a future never completed would hold the job's thread for good
                    result.completeExceptionally(e);
                } finally {
                    turns.finished(number);
                }
            });
        } catch (RejectedExecutionException stopping) {
            turns.finished(number);
            result.complete(new Retried.Stopped<>()); // the daemon is stopping: it is written again on resume
        }
        inFlight.addLast(new Entry<>(number, item, writeKeys, writeBytes, result));
        writeKeys.forEach(k -> keys.merge(k, 1, Integer::sum));
        bytes += writeBytes;
        job.chunksInFlight(inFlight.size());
    }

    /**
     * Adds an item that needs no write (a chunk of rejected records only), acknowledged at once; call
     * only when {@link #hasRoom} says so, as for a write.
     */
    void addDone(long number, T item, R value) {
        inFlight.addLast(new Entry<>(number, item, List.of(), 0,
                CompletableFuture.completedFuture(new Retried.Done<>(value, 0))));
        job.chunksInFlight(inFlight.size());
    }

    /**
     * Waits for the oldest write in flight and hands it back.
     *
     * @throws JobFailure when it failed for good
     */
    private Done<T, R> takeHead() throws JobFailure, InterruptedException {
        Entry<T, R> head = inFlight.peekFirst();
        Retried<R> result;
        try {
            result = head.result().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof JobFailure failure) {
                throw failure;
            }
            if (e.getCause() instanceof InterruptedException) {
                throw new InterruptedException("a lane of " + job.id() + " was interrupted");
            }
            throw new IllegalStateException(job.id() + ": write " + head.number() + " failed", e.getCause());
        }
        inFlight.removeFirst();
        head.keys().forEach(k -> keys.computeIfPresent(k, (key, n) -> n == 1 ? null : n - 1));
        bytes -= head.bytes();
        job.chunksInFlight(inFlight.size());
        return new Done<>(head.item(), result);
    }

    /**
     * Waits for the oldest write in flight and records it.
     *
     * @return what the recorder said: false if the job must stop
     * @throws JobFailure when the write failed for good
     */
    boolean recordHead(Recorder<T, R> recorder) throws JobFailure, InterruptedException {
        if (halted) {
            return false;
        }
        Done<T, R> head = takeHead();
        if (!recorder.record(head.item(), head.result())) {
            halted = true;
            return false;
        }
        return true;
    }

    /** Records every write in flight in order, until one stops. @return true if all were recorded */
    boolean recordAll(Recorder<T, R> recorder) throws JobFailure, InterruptedException {
        while (!inFlight.isEmpty()) {
            if (!recordHead(recorder)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits for the writes still in flight without handing them back (each holds a lease, and none may
     * go on after the job stopped or failed); they are written again on resume.
     */
    @Override
    public void close() {
        turns.abandon(); // a lane waiting for its turn to retry gives up: nothing after this is recorded
        boolean interrupted = false;
        for (Entry<T, R> entry : inFlight) {
            while (true) {
                try {
                    entry.result().get();
                    break;
                } catch (ExecutionException e) {
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // a stop: the lanes see it too and end their writes promptly
                }
            }
        }
        inFlight.clear();
        keys.clear();
        bytes = 0;
        job.chunksInFlight(0);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** About the bytes a document (or value) takes, as BSON would count them, without encoding it. */
    static long bytes(BsonValue value) {
        return switch (value.getBsonType()) {
            case DOCUMENT -> {
                long b = 5;
                for (Map.Entry<String, BsonValue> e : value.asDocument().entrySet()) {
                    b += e.getKey().length() + 2 + bytes(e.getValue());
                }
                yield b;
            }
            case ARRAY -> {
                long b = 5;
                for (BsonValue v : value.asArray()) {
                    b += 4 + bytes(v);
                }
                yield b;
            }
            case STRING -> 5 + value.asString().getValue().length();
            case BINARY -> 5 + value.asBinary().getData().length;
            default -> 8;
        };
    }

    /**
     * The writes being made, by number: a retry waits until every write before it is done. Used by the
     * job's thread and the lanes at once.
     */
    private static final class Turns {
        /** How often a waiting lane looks whether the job must stop. */
        private static final long STOP_CHECK_MILLIS = 100;
        private final ConcurrentSkipListSet<Long> writing = new ConcurrentSkipListSet<>();
        private volatile boolean abandoned;

        synchronized void abandon() {
            abandoned = true;
            notifyAll();
        }

        void started(long number) {
            writing.add(number);
        }

        void finished(long number) {
            writing.remove(number);
            synchronized (this) {
                notifyAll();
            }
        }

        /** @return false if the job must stop (shutdown or cancel) before the write's turn came */
        synchronized boolean await(long number, RunningJob job) throws InterruptedException {
            while (!abandoned && !writing.isEmpty() && writing.first() < number) {
                if (job.isStopping() || job.isCancelled()) {
                    return false;
                }
                wait(STOP_CHECK_MILLIS);
            }
            return !abandoned;
        }
    }
}
