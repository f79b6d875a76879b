package dev.ferry.sync;

import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.write.Retried;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a job's next chunk while the current one is written, so that parsing a file and the
 * destination's work overlap instead of taking turns (BENCHMARKS.md, "read-ahead"). At most one read
 * is in flight, on the shared read-ahead executor; the source is used by one thread at a time, the
 * handing over ordered by the read's {@link Future}. What the chunk loop sees does not change: the
 * position and progress it reads are those right after the chunk it was handed, and a chunk read
 * ahead is only ever handed out for the position it was read from. A job thus holds up to two chunks
 * in memory. Reads retry and fail as they do without it; the failure reaches the job when it asks for
 * that chunk.
 */
final class ReadAhead implements ChunkReads {
    private static final Logger log = LoggerFactory.getLogger(ReadAhead.class);
    /** How long close() waits for a read in flight to notice its interrupt before the source is closed anyway. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final ChunkReads source;
    private final ExecutorService executor;
    private final String jobId;
    private Pending pending;
    private Position position;
    private double progress = -1;

    ReadAhead(ChunkReads source, ExecutorService executor, String jobId) {
        this.source = source;
        this.executor = executor;
        this.jobId = jobId;
    }

    /** A chunk with where the source stood right after it. */
    private record Read(Retried<Batch> batch, Position position, double progress) {
    }

    /**
     * A read in flight: what it reads, its result, whether it started (or was called off before it
     * did), and a latch that opens when it no longer uses the source.
     */
    private record Pending(Position after, long chunkNo, Future<Read> result, AtomicBoolean started,
                           CountDownLatch finished) {
    }

    @Override
    public Retried<Batch> next(Position after, long chunkNo) throws JobFailure, InterruptedException {
        Pending read = pending;
        pending = null;
        if (read != null && (read.chunkNo() != chunkNo || !read.after().equals(after))) {
            // not the chunk the job now wants (it never happens in the chunk loop, which asks in order)
            discard(read);
            read = null;
        }
        Read done = read == null ? readNow(after, chunkNo) : await(read);
        position = done.position();
        progress = done.progress();
        if (done.batch() instanceof Retried.Done<Batch> chunk && chunk.value().records() > 0 && !chunk.value().end()) {
            pending = submit(done.position(), chunkNo + 1);
        }
        return done.batch();
    }

    private Read readNow(Position after, long chunkNo) throws JobFailure, InterruptedException {
        Pending read = submit(after, chunkNo);
        return read == null ? read(after, chunkNo) : await(read);
    }

    /** @return null when the executor takes no more tasks (the daemon is stopping): the caller reads itself */
    private Pending submit(Position after, long chunkNo) {
        AtomicBoolean started = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        try {
            Future<Read> result = executor.submit(() -> {
                if (!started.compareAndSet(false, true)) {
                    return null; // called off while it waited for a thread
                }
                try {
                    return read(after, chunkNo);
                } finally {
                    finished.countDown();
                }
            });
            return new Pending(after, chunkNo, result, started, finished);
        } catch (RejectedExecutionException stopping) {
            return null;
        }
    }

    private Read read(Position after, long chunkNo) throws JobFailure, InterruptedException {
        Retried<Batch> batch = source.next(after, chunkNo);
        // a stopped read leaves no position: the source may have been dropped with it
        return batch instanceof Retried.Done<Batch> ? new Read(batch, source.position(), source.progress())
                : new Read(batch, position, progress);
    }

    private Read await(Pending read) throws JobFailure, InterruptedException {
        try {
            return read.result().get();
        } catch (InterruptedException e) {
            discard(read);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof JobFailure failure) {
                throw failure;
            }
            if (cause instanceof InterruptedException interrupted) {
                // the read's thread was interrupted (the executor is being shut down): stop as the job would
                throw interrupted;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Stops a read in flight and waits until it no longer uses the source. */
    private void discard(Pending read) {
        if (read == null) {
            return;
        }
        read.result().cancel(true);
        if (read.started().compareAndSet(false, true)) {
            return; // it never touched the source
        }
        boolean interrupted = false;
        try {
            if (!read.finished().await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{}: the chunk read ahead did not stop within {} s; closing the source under it", jobId,
                        CLOSE_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Position position() {
        return position;
    }

    @Override
    public double progress() {
        return progress;
    }

    @Override
    public void close() {
        Pending read = pending;
        pending = null;
        try {
            discard(read);
        } finally {
            source.close();
        }
    }
}
