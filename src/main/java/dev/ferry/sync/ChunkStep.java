package dev.ferry.sync;

import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.Origins;
import dev.ferry.sync.source.Rejected;
import dev.ferry.sync.write.Rejection;
import dev.ferry.sync.write.Retried;
import dev.ferry.sync.write.WriteOutcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One turn of a job's chunk loop: wait while paused, read the next chunk, write it, record its
 * checkpoint. A chunk is recorded only after the destination acknowledged it, and writes are
 * idempotent by key, so a job stopped anywhere resumes without losing or duplicating a document.
 */
final class ChunkStep implements AutoCloseable {
    private final RunGate gate;
    private final RunningJob job;
    private final ChunkReads source;
    private final ChunkWrites destination;
    private final JobCheckpoints checkpoints;
    private final RejectedRecords rejects;

    ChunkStep(RunGate gate, RunningJob job, ChunkReads source, ChunkWrites destination, JobCheckpoints checkpoints) {
        this(gate, job, source, destination, checkpoints, RejectedRecords.NONE);
    }

    ChunkStep(RunGate gate, RunningJob job, ChunkReads source, ChunkWrites destination, JobCheckpoints checkpoints,
              RejectedRecords rejects) {
        this.gate = gate;
        this.job = job;
        this.source = source;
        this.destination = destination;
        this.checkpoints = checkpoints;
        this.rejects = rejects;
    }

    Step take(Progress progress) throws InterruptedException {
        try {
            if (!gate.awaitRunnable(job)) {
                return new Step.Stopped(progress);
            }
            long chunkNo = progress.nextChunk();
            Retried<Batch> read = source.next(progress.position(), chunkNo);
            if (!(read instanceof Retried.Done<Batch> done)) {
                return new Step.Stopped(progress);
            }
            Batch batch = done.value();
            if (batch.records() == 0) {
                return new Step.Exhausted(progress);
            }
            WriteOutcome outcome = WriteOutcome.NONE;
            long retries = 0;
            if (!batch.documents().isEmpty()) {
                Retried<WriteOutcome> write = destination.write(batch.documents(), batch.origins(), chunkNo);
                if (!(write instanceof Retried.Done<WriteOutcome> written)) {
                    return new Step.Stopped(progress);
                }
                outcome = written.value();
                retries = written.retries();
            }
            // the rejected records are on disk before the checkpoint that counts them
            if (!rejects.append(rejected(batch, outcome))) {
                return new Step.Stopped(progress);
            }
            Progress next = new Progress(source.position(), progress.counters().plusChunk(outcome)
                    .plusRejected(batch.rejected().size()).plusRetries(retries));
            job.sourceProgress(source.progress());
            if (!checkpoints.record(next, batch.documents().size() - outcome.rejected().size())) {
                return new Step.Stopped(next);
            }
            return new Step.Written(next);
        } catch (JobFailure failure) {
            return new Step.Failed(failure);
        }
    }

    /** The source's rejected records, then the documents the destination refused, in the order they were read. */
    private static List<Rejected> rejected(Batch batch, WriteOutcome outcome) {
        if (outcome.rejected().isEmpty()) {
            return batch.rejected();
        }
        List<Rejected> all = new ArrayList<>(batch.rejected());
        Origins origins = batch.origins();
        for (Rejection r : outcome.rejected()) {
            all.add(new Rejected(origins.unit(), origins.number(r.index()), r.reason(), batch.documents().get(r.index())));
        }
        all.sort(Comparator.comparingLong(Rejected::number));
        return all;
    }

    JobCheckpoints checkpoints() {
        return checkpoints;
    }

    /** Releases the source (and a mongodb source's lease); the checkpoints stay usable. */
    @Override
    public void close() {
        try {
            source.close();
        } finally {
            rejects.close();
        }
    }
}
