package dev.ferry.sync;

import dev.ferry.sync.follow.EventBatch;
import dev.ferry.sync.follow.EventWriter;
import dev.ferry.sync.follow.FollowState;
import dev.ferry.sync.follow.Phase;
import dev.ferry.sync.follow.StreamPoint;
import dev.ferry.sync.write.Retried;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follow job after its snapshot: read a batch of change events, apply it, record its token, until
 * finish (applies what has arrived, then the job is done), cancel or shutdown. A batch is recorded
 * only after the destination acknowledged it, and applying is idempotent by {@code _id}, so a job
 * stopped anywhere resumes from its token without losing an event.
 */
final class FollowLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FollowLoop.class);
    /** Between two reads that found nothing (a real server's read already waits up to 100 ms itself). */
    static final Duration IDLE = Duration.ofMillis(50);
    /** How often an idle stream's newer token is saved, so a quiet collection does not age out of the oplog. */
    static final Duration IDLE_SAVE = Duration.ofSeconds(10);

    private final RunGate gate;
    private final RunningJob job;
    private final StreamReader stream;
    private final EventApplier applier;
    private final JobCheckpoints checkpoints;
    private final Clock clock;

    FollowLoop(RunGate gate, RunningJob job, StreamReader stream, EventApplier applier, JobCheckpoints checkpoints,
               Clock clock) {
        this.gate = gate;
        this.job = job;
        this.stream = stream;
        this.applier = applier;
        this.checkpoints = checkpoints;
        this.clock = clock;
    }

    /**
     * @param progress where the snapshot ended
     * @return {@link Step.Exhausted} after finish, else stopped or failed
     */
    Step run(Progress progress) throws InterruptedException {
        FollowState state = checkpoints.follow().orElseThrow().following();
        boolean wasFollowing = checkpoints.follow().get().phase() == Phase.FOLLOWING;
        if (!checkpoints.saveNow(progress, state)) {
            return new Step.Stopped(progress);
        }
        job.follow(state);
        job.state(JobState.FOLLOWING);
        log.info("{}: {} from {}", job.id(), wasFollowing ? "following again" : "snapshot copied; following changes",
                state.point().describe());
        long lastSave = clock.millis();
        long batchNo = 0;
        try {
            while (true) {
                if (!gate.awaitRunnable(job)) {
                    return new Step.Stopped(progress);
                }
                boolean finishing = job.isFinishRequested();
                Retried<PolledBatch> read = stream.next(state.point(), batchNo + 1);
                if (!(read instanceof Retried.Done<PolledBatch> polled)) {
                    return new Step.Stopped(progress);
                }
                EventBatch batch = polled.value().batch();
                long retries = polled.retries();
                if (retries > 0) {
                    progress = new Progress(progress.position(), progress.counters().plusRetries(retries));
                }
                if (batch.isEmpty()) {
                    job.caughtUp(true);
                    job.state(JobState.FOLLOWING);
                    state = idleToken(state);
                    if (finishing || clock.millis() - lastSave >= IDLE_SAVE.toMillis()) {
                        if (!checkpoints.saveNow(progress, state)) {
                            return new Step.Stopped(progress);
                        }
                        lastSave = clock.millis();
                    }
                    if (finishing) {
                        return new Step.Exhausted(progress);
                    }
                    if (!gate.sleep(IDLE, job)) {
                        return new Step.Stopped(progress);
                    }
                    continue;
                }
                job.caughtUp(false);
                batchNo++;
                Retried<EventWriter.Outcome> write = applier.apply(polled.value().writes(), batchNo);
                if (!(write instanceof Retried.Done<EventWriter.Outcome> written)) {
                    return new Step.Stopped(progress);
                }
                StreamPoint next = batch.lastToken().map(StreamPoint::after).orElse(state.point());
                state = state.applied(next, batch.events(), written.value().deleted());
                progress = new Progress(progress.position(), progress.counters().plusWrites(written.value().writes())
                        .plusRetries(written.retries()));
                if (!checkpoints.recordBatch(progress, state)) {
                    return new Step.Stopped(progress);
                }
                lastSave = clock.millis();
                job.applied(batch.events(), batch.newestClusterTimeMillis());
            }
        } catch (JobFailure failure) {
            return new Step.Failed(failure);
        }
    }

    /** A real server's post-batch token moves on while the collection is quiet; following it loses nothing. */
    private FollowState idleToken(FollowState state) {
        Optional<BsonDocument> token = stream.currentToken();
        if (token.isPresent() && !(state.point().isToken() && state.point().resumeToken().equals(token.get()))) {
            return state.movedTo(StreamPoint.after(token.get()));
        }
        return state;
    }

    @Override
    public void close() {
        stream.close();
    }
}
