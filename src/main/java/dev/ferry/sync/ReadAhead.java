package dev.ferry.sync;

import dev.ferry.concurrent.Executors2;
import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.retry.Retried;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a job's next chunk while the current one is written, so that parsing a file and the
 * destination's work overlap instead of taking turns (docs/jobs.md, "Reading ahead"). At most one read is in
 * flight, on the shared read-ahead executor; the source is used by one thread at a time, the handing
 * over ordered by the read's {@link Future}. What the chunk loop sees does not change: the position
 * and progress it reads are those right after the chunk it was handed, and a chunk read ahead is only
 * handed out for the position it was read from.
 *
 * <p>The read ahead is one plain try ({@link CopyLoop.Reads#tryNext}): it never retries, backs off, waits
 * or changes the job's state, so pause, cancel and the job's retry budget work exactly as without it.
 * When it fails, the job reads that chunk itself, with its retries, and meets the error there.
 */
final class ReadAhead implements CopyLoop.Reads {
    private static final Logger log = LoggerFactory.getLogger(ReadAhead.class);
    /** How long close() waits for a read in flight to notice its interrupt; after that the read closes the source. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final CopyLoop.Reads source;
    private final ExecutorService executor;
    private final String jobId;
    /** Set once by whichever thread closes the source: close(), or a read that outlived CLOSE_WAIT. */
    private final AtomicBoolean sourceClosed = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private Pending pending;
    private Position position;
    private double progress = -1;

    ReadAhead(CopyLoop.Reads source, ExecutorService executor, String jobId) {
        this.source = source;
        this.executor = executor;
        this.jobId = jobId;
    }

    /** A chunk with where the source stood right after it. */
    private record Read(Batch batch, Position position, double progress) {
    }

    /**
     * A read in flight: what it reads, its result (null when the try failed), whether it started (or
     * was called off before it did), and a latch that opens when it no longer uses the source.
     */
    private record Pending(Position after, long chunkNo, Future<Read> result, AtomicBoolean started,
                           CountDownLatch finished) {
    }

    @Override
    public Retried<Batch> next(Position after, long chunkNo) throws JobFailure, InterruptedException {
        Pending ahead = pending;
        pending = null;
        Read read = null;
        if (ahead != null && ahead.chunkNo() == chunkNo && ahead.after().equals(after)) {
            read = await(ahead);
        } else if (ahead != null) {
            // not the chunk the job wants (the chunk loop asks in order, so this does not happen): start over at after
            if (discard(ahead)) {
                source.close();
            }
        }
        Retried<Batch> handed;
        if (read == null) {
            handed = source.next(after, chunkNo);
            if (!(handed instanceof Retried.Done<Batch> done)) {
                return handed;
            }
            read = new Read(done.value(), source.position(), source.progress());
        } else {
            handed = new Retried.Done<>(read.batch(), 0);
        }
        position = read.position();
        progress = read.progress();
        if (read.batch().records() > 0 && !read.batch().end()) {
            pending = submit(read.position(), chunkNo + 1);
        }
        return handed;
    }

    @Override
    public Optional<Batch> tryNext(Position after, long chunkNo) {
        return Optional.empty();
    }

    /** @return null when the executor takes no more tasks (the daemon is stopping): the job reads itself */
    private Pending submit(Position after, long chunkNo) {
        AtomicBoolean started = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        try {
            Future<Read> result = executor.submit(() -> {
                if (!started.compareAndSet(false, true)) {
                    return null; // called off while it waited for a thread
                }
                try {
                    return source.tryNext(after, chunkNo)
                            .map(batch -> new Read(batch, source.position(), source.progress())).orElse(null);
                } finally {
                    finished.countDown();
                    if (closing.get()) {
                        closeSource(); // close() gave up waiting for this read: the source is closed now
                    }
                }
            });
            return new Pending(after, chunkNo, result, started, finished);
        } catch (RejectedExecutionException stopping) {
            return null;
        }
    }

    /** The chunk read ahead, or null when the try failed or was called off: then the job reads it itself. */
    private Read await(Pending ahead) throws InterruptedException {
        try {
            return ahead.result().get();
        } catch (InterruptedException e) {
            discard(ahead);
            throw e;
        } catch (ExecutionException | CancellationException e) {
            log.debug("{}: chunk {} read ahead ended without a chunk: {}", jobId, ahead.chunkNo(), e.toString());
            discard(ahead);
            return null;
        }
    }

    /**
     * Calls off a read in flight and waits until it no longer uses the source.
     *
     * @return false if it still uses the source after {@link #CLOSE_WAIT}
     */
    private boolean discard(Pending ahead) {
        if (ahead == null) {
            return true;
        }
        ahead.result().cancel(true);
        if (ahead.started().compareAndSet(false, true)) {
            return true; // it never touched the source
        }
        // a stop may have left this thread interrupted; the wait must still happen
        if (Executors2.awaitUninterruptibly(ahead.finished(), System.nanoTime() + CLOSE_WAIT.toNanos())) {
            return true;
        }
        log.warn("{}: the chunk read ahead did not stop within {} s; it closes the source when it ends",
                jobId, CLOSE_WAIT.toSeconds());
        return false;
    }

    private void closeSource() {
        if (sourceClosed.compareAndSet(false, true)) {
            source.close();
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
        Pending ahead = pending;
        pending = null;
        if (discard(ahead)) {
            closeSource();
            return;
        }
        closing.set(true);
        if (ahead.finished().getCount() == 0) {
            closeSource(); // it ended between the wait and now
        }
    }
}
