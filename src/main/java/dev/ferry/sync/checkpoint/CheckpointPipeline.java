package dev.ferry.sync.checkpoint;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves one job's checkpoints on an I/O thread, one at a time and in order, so that forcing chunk
 * N's checkpoint to disk overlaps reading and writing chunk N+1 instead of adding to it. Each
 * checkpoint still records only acknowledged chunks; a crash while a save is in flight leaves the
 * previous checkpoint, and resuming from it writes at most one chunk again, idempotently by key.
 *
 * <p>Measured (docs/benchmarks.md, benchmark 1): two forces per chunk cost 10-160 ms on a busy disk, as
 * much as the chunk write itself. After a failed background save the next saves run on the caller's
 * thread, so that a broken disk is reported (and retried) at the chunk where it happened.
 * Used by the job's worker thread only.
 */
public final class CheckpointPipeline {
    private static final Logger log = LoggerFactory.getLogger(CheckpointPipeline.class);

    private final Checkpoints store;
    private final ExecutorService io;
    private final String jobId;
    private Future<?> inFlight;
    private Checkpoint last;
    private boolean synchronous;

    public CheckpointPipeline(Checkpoints store, ExecutorService io, String jobId) {
        this.store = store;
        this.io = io;
        this.jobId = jobId;
    }

    /** Waits for the previous save, then starts saving {@code checkpoint}. */
    public void submit(Checkpoint checkpoint) throws IOException, InterruptedException {
        last = checkpoint;
        if (!awaitInFlight() || synchronous) {
            saveNow(checkpoint);
            return;
        }
        try {
            inFlight = io.submit(() -> {
                store.save(jobId, checkpoint);
                return null;
            });
        } catch (RejectedExecutionException shuttingDown) {
            saveNow(checkpoint);
        }
    }

    /** Returns once the last submitted checkpoint is on disk; call before deleting it or stopping. */
    public void drain() throws IOException, InterruptedException {
        if (!awaitInFlight() && last != null) {
            saveNow(last);
        }
    }

    private void saveNow(Checkpoint checkpoint) throws IOException {
        synchronous = true;
        store.save(jobId, checkpoint);
        synchronous = false;
    }

    /** @return false if the save in flight failed */
    private boolean awaitInFlight() throws InterruptedException {
        Future<?> f = inFlight;
        if (f == null) {
            return true;
        }
        try {
            f.get();
            inFlight = null;
            return true;
        } catch (ExecutionException e) {
            inFlight = null;
            log.warn("{}: saving a checkpoint failed: {}; saving the next one on the job's thread", jobId,
                    e.getCause().toString());
            return false;
        }
    }
}
