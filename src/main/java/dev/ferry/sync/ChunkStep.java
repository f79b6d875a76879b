package dev.ferry.sync;

import dev.ferry.sync.write.Retried;
import dev.ferry.sync.write.WriteOutcome;
import java.util.List;
import org.bson.BsonDocument;

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

    ChunkStep(RunGate gate, RunningJob job, ChunkReads source, ChunkWrites destination, JobCheckpoints checkpoints) {
        this.gate = gate;
        this.job = job;
        this.source = source;
        this.destination = destination;
        this.checkpoints = checkpoints;
    }

    Step take(Progress progress) throws InterruptedException {
        try {
            if (!gate.awaitRunnable(job)) {
                return new Step.Stopped(progress);
            }
            long chunkNo = progress.nextChunk();
            Retried<List<BsonDocument>> read = source.next(progress.position(), chunkNo);
            if (!(read instanceof Retried.Done<List<BsonDocument>> documents)) {
                return new Step.Stopped(progress);
            }
            List<BsonDocument> chunk = documents.value();
            if (chunk.isEmpty()) {
                return new Step.Exhausted(progress);
            }
            Retried<WriteOutcome> write = destination.write(chunk, chunkNo);
            if (!(write instanceof Retried.Done<WriteOutcome> written)) {
                return new Step.Stopped(progress);
            }
            Progress next = new Progress(source.position(),
                    progress.counters().plusChunk(written.value()).plusRetries(written.retries()));
            job.sourceProgress(source.progress());
            if (!checkpoints.record(next, chunk.size())) {
                return new Step.Stopped(next);
            }
            return new Step.Written(next);
        } catch (JobFailure failure) {
            return new Step.Failed(failure);
        }
    }

    JobCheckpoints checkpoints() {
        return checkpoints;
    }

    /** Releases the source (and a mongodb source's lease); the checkpoints stay usable. */
    @Override
    public void close() {
        source.close();
    }
}
