package dev.ferry.sync;

import dev.ferry.job.DestinationSpec;
import dev.ferry.job.JobSpec;
import dev.ferry.job.SourceSpec;
import dev.ferry.pool.Lease;
import dev.ferry.sync.checkpoint.VerifyState;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.write.ChunkWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A comparison beside a following job ({@code ferry ctl verify ID};
 * docs/follow.md, "Verify while following"): both passes of a {@link VerifyLoop} run while the job goes on following, their findings
 * kept in memory as suspects; then, once the job has applied every event that happened before the
 * passes ended, each suspect key is looked up again on both sides, so that a change still on its way
 * is not reported as a difference. Up to {@link #ROUNDS} such rounds. The outcome shows in the Job
 * bean's {@code Verified} and, when something differs, in {@code active/ID.verify.ndjson}.
 *
 * <p>Threading: runs on one thread of the follower executor; the job's own thread goes on following.
 */
final class FollowVerify implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(FollowVerify.class);
    /** Keys held for a second look at most; beyond them a difference is reported without one. */
    static final int MAX_SUSPECTS = 100_000;
    /** Second looks at most, each after the job caught up again. */
    static final int ROUNDS = 3;
    /** How long a second look waits for the job to catch up. */
    static final Duration CATCH_UP_WAIT = Duration.ofMinutes(10);
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private final RunningJob job;
    private final JobTask.Stages stages;
    private final Path list;
    private final JobSpec spec;
    private VerifyState state;
    /** Keys found different in the passes, with their kind, to be looked at again. */
    private final List<BsonDocument> suspects = new ArrayList<>();
    /** Differences found beyond {@link #MAX_SUSPECTS}: reported as found. */
    private final List<BsonDocument> unchecked = new ArrayList<>();

    /** @param list where the differing keys are listed: {@code active/ID.verify.ndjson} */
    FollowVerify(RunningJob job, JobTask.Stages stages, Path list) {
        this.job = job;
        this.stages = stages;
        this.list = list;
        this.spec = job.spec();
    }

    @Override
    public void run() {
        try {
            compare();
        } catch (JobFailure failure) {
            log.warn("{}: the comparison beside following stopped: {}", job.id(), failure.getMessage());
            job.verifyFailed(failure.getMessage());
        } catch (InterruptedException e) {
            job.verifyFailed("interrupted");
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("{}: the comparison beside following stopped by an unexpected error", job.id(), e);
            job.verifyFailed(e.toString());
        } finally {
            job.endVerifyBeside();
        }
    }

    private void compare() throws JobFailure, InterruptedException {
        log.info("{}: comparing source and destination while following", job.id());
        VerifyLoop loop = new VerifyLoop(job, new InMemory(), stages);
        if (!loop.run()) {
            log.info("{}: the comparison beside following stopped with the job", job.id());
            job.verifyFailed(job.isFinishRequested() ? "the job is finishing" : "the job stopped or was paused");
            return;
        }
        for (int round = 1; round <= ROUNDS && !suspects.isEmpty(); round++) {
            long passed = stages.clock().millis();
            if (!job.awaitCaughtUpAfter(passed, CATCH_UP_WAIT)) {
                log.warn("{}: the job did not catch up within {} min (or is ending); {} keys are reported without a "
                        + "second look", job.id(), CATCH_UP_WAIT.toMinutes(), suspects.size());
                break;
            }
            SourceSpec.Mongo source = (SourceSpec.Mongo) spec.source();
            try {
                if (!(stages.policy().run(job.lane(), dev.ferry.sync.retry.RetryPolicy.Side.SOURCE, source.connection(),
                        0, () -> {
                            lookAgain(loop);
                            return Boolean.TRUE;
                        }) instanceof dev.ferry.sync.retry.Retried.Done<Boolean>)) {
                    job.verifyFailed("the job stopped or was paused");
                    return;
                }
            } catch (dev.ferry.sync.retry.AttemptFailure e) {
                throw JobFailure.of(e, JobFailure.SOURCE_ERROR, source.describe(), "looking at differing keys again", 0);
            }
        }
        job.verify(state);
        job.verifyEnded();
        List<BsonDocument> differing = new ArrayList<>(suspects);
        differing.addAll(unchecked);
        writeList(differing);
        if (state.equalSoFar()) {
            log.info("{}: source and destination are equal: {} documents compared while following", job.id(),
                    state.compared());
        } else {
            log.warn("{}: the destination differs from the source: {} missing, {} extra, {} different of {} "
                    + "compared while following; the keys are in {}", job.id(), state.missing(), state.extra(),
                    state.different(), state.compared(), list);
        }
    }

    /** Each suspect key looked up on both sides again: what still differs stays, with its kind now. */
    private void lookAgain(VerifyLoop loop) {
        SourceSpec.Mongo source = (SourceSpec.Mongo) spec.source();
        DestinationSpec destination = spec.destination();
        List<BsonDocument> keys = suspects.stream().map(s -> s.getDocument("key")).toList();
        Map<Object, BsonDocument> there = new HashMap<>();
        Map<Object, RawBsonDocument> copied = new HashMap<>();
        for (int from = 0; from < keys.size(); from += spec.chunkSize()) {
            List<BsonDocument> some = keys.subList(from, Math.min(keys.size(), from + spec.chunkSize()));
            BsonDocument filter = loop.keyFilter(some);
            BsonDocument sourceFilter = source.filter() == null || source.filter().isEmpty() ? filter
                    : new BsonDocument("$and", new BsonArray(List.of(source.filter(), filter)));
            try (Lease lease = stages.pools().lease(source.connection())) {
                var find = lease.collection(source.database(), source.collection()).find(sourceFilter);
                if (source.projection() != null) {
                    find = find.projection(source.projection());
                }
                find.forEach(d -> ChunkWriter.keyOf(d, spec.key()).ifPresent(k -> there.put(k, d)));
            }
            try (Lease lease = stages.pools().lease(destination.connection())) {
                lease.collection(destination.database(), destination.collection())
                        .withDocumentClass(RawBsonDocument.class).find(filter)
                        .forEach(d -> ChunkWriter.keyOf(d, spec.key()).ifPresent(k -> copied.put(k, d)));
            }
        }
        List<BsonDocument> still = new ArrayList<>();
        long missing = 0;
        long extra = 0;
        long different = 0;
        for (BsonDocument key : keys) {
            Object k = ChunkWriter.keyOf(key, spec.key()).orElseThrow();
            BsonDocument inSource = there.get(k);
            RawBsonDocument inCopy = copied.get(k);
            String kind = inSource == null ? (inCopy == null ? null : "extra")
                    : inCopy == null ? "missing" : VerifyLoop.same(spec.mode(), inSource, inCopy) ? null : "different";
            if (kind != null) {
                still.add(new BsonDocument("key", key).append("kind", new org.bson.BsonString(kind)));
                missing += kind.equals("missing") ? 1 : 0;
                extra += kind.equals("extra") ? 1 : 0;
                different += kind.equals("different") ? 1 : 0;
            }
        }
        log.info("{}: {} of {} differing keys still differ after the job caught up", job.id(), still.size(),
                keys.size());
        suspects.clear();
        suspects.addAll(still);
        long uncheckedMissing = count(unchecked, "missing");
        long uncheckedExtra = count(unchecked, "extra");
        long uncheckedDifferent = count(unchecked, "different");
        missing += uncheckedMissing;
        extra += uncheckedExtra;
        different += uncheckedDifferent;
        long equal = Math.max(0, state.compared() - missing - different);
        state = new VerifyState(state.pass(), state.position(), state.compared(), equal, missing, extra, different,
                suspects.size() + unchecked.size(), state.startedAt());
        job.verify(state);
    }

    private static long count(List<BsonDocument> lines, String kind) {
        return lines.stream().filter(l -> l.getString("kind").getValue().equals(kind)).count();
    }

    /** Replaces the list of an earlier comparison; none when nothing differs. */
    private void writeList(List<BsonDocument> differing) {
        try {
            if (differing.isEmpty()) {
                Files.deleteIfExists(list);
                return;
            }
            StringBuilder text = new StringBuilder();
            differing.stream().limit(stages.verifyMaxListed())
                    .forEach(line -> text.append(line.toJson(JSON)).append('\n'));
            Path partial = list.resolveSibling("." + list.getFileName() + ".partial");
            Files.writeString(partial, text, StandardCharsets.UTF_8);
            Files.move(partial, list, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("{}: cannot write {}: {}", job.id(), list, e.toString());
        }
    }

    /** The passes' findings, kept here: the counts, and the differing keys as suspects. */
    private final class InMemory implements VerifyLoop.Findings {
        @Override
        public boolean begin() {
            state = VerifyState.start(stages.clock().instant());
            job.verify(state);
            return true;
        }

        @Override
        public VerifyState state() {
            return state;
        }

        @Override
        public boolean beginDestinationPass() {
            state = state.toDestinationPass();
            job.verify(state);
            return true;
        }

        @Override
        public boolean record(VerifyLoop.Comparison found, Position after) {
            if (job.isFinishRequested()) {
                return false; // the job ends: its own comparison, if it has one, runs once it stopped following
            }
            for (BsonDocument line : found.differences()) {
                (suspects.size() < MAX_SUSPECTS ? suspects : unchecked).add(line);
            }
            state = state.plus(after, found.compared(), found.equal(), found.missing(), found.extra(),
                    found.different(), found.differences().size());
            job.verify(state);
            return true;
        }

        @Override
        public boolean finish(VerifyLoop.Comparison found) {
            record(found, state.position());
            state = state.done();
            return true;
        }
    }

    /** Starts one for {@code job}; empty when it is no following job or one runs already. */
    static Optional<String> refusal(RunningJob job) {
        if (!job.spec().follows()) {
            return Optional.of(job.id() + " is not a follow job: give it \"verify\": true to compare when its copy is done,"
                    + " or submit a job with \"mode\": \"verify\"");
        }
        if (!"FOLLOWING".equals(job.getPhase())) {
            return Optional.of(job.id() + " is still copying its snapshot: compare once it follows");
        }
        return Optional.empty();
    }
}
