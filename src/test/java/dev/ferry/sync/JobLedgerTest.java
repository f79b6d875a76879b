package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.concurrent.Executors2;
import dev.ferry.concurrent.NamedThreadFactory;
import dev.ferry.job.DestinationSpec;
import dev.ferry.job.IdFrom;
import dev.ferry.job.JobRejectedException;
import dev.ferry.job.JobSpec;
import dev.ferry.job.OnInvalid;
import dev.ferry.job.SourceSpec;
import dev.ferry.job.WriteMode;
import dev.ferry.pool.PoolState;
import dev.ferry.queue.JobClaim;
import dev.ferry.queue.Spool;
import dev.ferry.sync.checkpoint.CheckpointStore;
import dev.ferry.sync.checkpoint.Counters;
import dev.ferry.sync.follow.FollowState;
import dev.ferry.sync.follow.StreamPoint;
import dev.ferry.sync.retry.Backoff;
import dev.ferry.sync.retry.ErrorClassifier;
import dev.ferry.sync.retry.RetryPolicy;
import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.Origins;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.source.Rejected;
import dev.ferry.sync.write.Rejection;
import dev.ferry.sync.write.WriteOutcome;
import dev.ferry.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One job's books across runs of the daemon: what reaches the disk in which order, what a restart
 * finds, and how each way of ending leaves the spool, as an operator reads it there.
 */
class JobLedgerTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private static final JobSpec SKIPPING = new JobSpec("job", new SourceSpec.Inline(List.of()),
            new DestinationSpec("dest", "db", "c"), WriteMode.UPSERT, List.of("_id"), 3, OnInvalid.SKIP, IdFrom.NONE);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final ExecutorService io = Executors.newSingleThreadExecutor(new NamedThreadFactory("test-checkpoint", true));
    private final RunGate gate = new RunGate();
    private final Orchestrator.Totals totals = new Orchestrator.Totals();
    private final List<String> events = new ArrayList<>();
    private Spool spool;
    private CheckpointStore store;
    private JobLedger.Books books;
    private Path jobFile;

    @BeforeEach
    void spool() throws Exception {
        spool = new Spool(dir.resolve("spool"));
        spool.ensureLayout();
        store = new CheckpointStore(dir.resolve("checkpoints"));
        RetryPolicy policy = new RetryPolicy(new ErrorClassifier(), new Backoff(Duration.ofMillis(1),
                Duration.ofMillis(1), 0), 3, List.of(), () -> new SplittableRandom(1), name -> PoolState.OPEN);
        books = new JobLedger.Books(spool, store, io, policy, gate, clock, totals, new JobEvents() {
            @Override
            public void done(String id, long documents, long chunks, long durationMillis) {
                events.add("done " + id + " " + documents);
            }

            @Override
            public void failed(String id, String kind, String message) {
                events.add("failed " + id + " " + kind);
            }
        });
        jobFile = Files.writeString(spool.incoming().resolve("job.json"), "{\"the\": \"job file\"}");
    }

    @AfterEach
    void shutdown() {
        Executors2.shutdown("test-checkpoint", io, Duration.ofSeconds(5));
    }

    /** A run of the daemon: claims (or adopts) the job file and opens its ledger where it resumes. */
    private Run run() throws Exception {
        JobClaim claim = Files.exists(jobFile) ? spool.claim(jobFile).orElseThrow()
                : spool.adopt(spool.active().resolve("job.json")).orElseThrow();
        RunningJob job = new RunningJob(SKIPPING, clock.instant(), clock, gate, totals);
        return new Run(job, claim, books.open(job, claim).orElseThrow());
    }

    private record Run(RunningJob job, JobClaim claim, JobLedger ledger) {
    }

    /** The daemon stops gracefully: the job stays in active/ with its checkpoint. */
    private void stop(Run run) throws InterruptedException {
        gate.stop();
        run.ledger().stopped();
        run.ledger().close();
        run.claim().close();
    }

    /** A chunk of three documents: line 2 of the source could not be read, and the destination refused line 3. */
    private static Batch chunkWithTwoRejections() {
        List<BsonDocument> documents = new ArrayList<>(List.of(new BsonDocument("_id", new BsonInt32(1)),
                new BsonDocument("_id", new BsonInt32(3))));
        Rejected unreadable = Rejected.text("line", 2, "not valid JSON", "{oops");
        return new Batch(documents, new Origins("line", new long[] {1, 3}), List.of(unreadable), false);
    }

    private static WriteOutcome refusingSecond() {
        return new WriteOutcome(0, 0, 0, 1, 0, List.of(new Rejection(1, "duplicate key on email_1")));
    }

    private List<String> lines(Path file) throws Exception {
        return Files.readAllLines(file);
    }

    @Test
    void aChunksRejectedRecordsReachTheDiskWithItsCheckpointInTheOrderTheyWereRead() throws Exception {
        Run first = run();
        assertTrue(first.ledger().recordChunk(chunkWithTwoRejections(), refusingSecond(), 1, new Position(3, null)));
        assertEquals(new Counters(1, 1, 0, 0, 0, 1, 0, 2), first.ledger().progress().counters());
        List<String> running = lines(spool.active().resolve(".job.rejected.ndjson"));
        assertEquals(2, running.size());
        assertTrue(running.get(0).contains("\"line\": 2") && running.get(1).contains("\"line\": 3"), running.toString());
        assertEquals(1, totals.chunksWritten.sum());
        assertEquals(1, totals.documentsWritten.sum(), "the refused document was not written");
    }

    @Test
    void aRestartResumesFromTheCheckpointAndKeepsTheRejectedRecordsItCounts() throws Exception {
        Run first = run();
        first.ledger().recordChunk(chunkWithTwoRejections(), refusingSecond(), 0, new Position(3, null));
        stop(first);
        assertTrue(Files.exists(spool.active().resolve("job.json")), "a stopped job stays in active/");

        Run second = runWithFreshGate();
        assertEquals(new Position(3, null), second.ledger().progress().position());
        assertEquals(2, second.ledger().progress().counters().rejected());
        assertEquals(2, lines(spool.active().resolve(".job.rejected.ndjson")).size());
        assertEquals(3, second.job().documentsRead(), "the MXBean shows the earlier run's documents");
    }

    @Test
    void aFollowJobKeepsWhatItsSnapshotRejectedThroughEventsAndARestart() throws Exception {
        Run first = run();
        FollowState start = FollowState.snapshot(StreamPoint.at(new BsonTimestamp(1, 1)));
        assertTrue(first.ledger().saveNow(start));
        first.ledger().recordChunk(chunkWithTwoRejections(), refusingSecond(), 0, new Position(3, null));
        FollowState following = start.following();
        assertTrue(first.ledger().saveNow(following));
        FollowState applied = following.applied(StreamPoint.after(new BsonDocument("_data", new BsonString("82A1"))),
                5, 1);
        assertTrue(first.ledger().recordEvents(applied, new WriteOutcome(0, 2, 2, 2, 0), List.of(), 0));
        assertEquals(2, first.ledger().progress().counters().rejected(), "applied events keep the count");
        stop(first);

        Run second = runWithFreshGate();
        assertEquals(2, second.ledger().progress().counters().rejected());
        assertEquals(2, lines(spool.active().resolve(".job.rejected.ndjson")).size(),
                "the restart cut the file back to the 2 records the checkpoint counts, not to 0");
        assertEquals(applied, second.ledger().follow().orElseThrow());
        second.ledger().completed();

        Document result = Document.parse(Files.readString(spool.done().resolve("job.result.json")));
        assertEquals(2L, ((Number) result.get("rejected")).longValue());
        assertEquals(5L, ((Number) result.get("eventsApplied")).longValue());
        assertEquals(2, lines(spool.done().resolve("job.rejected.ndjson")).size());
    }

    /** The next daemon's run: its own gate, which is not stopping. */
    private Run runWithFreshGate() throws Exception {
        RunGate fresh = new RunGate();
        RetryPolicy policy = new RetryPolicy(new ErrorClassifier(), new Backoff(Duration.ofMillis(1),
                Duration.ofMillis(1), 0), 3, List.of(), () -> new SplittableRandom(1), name -> PoolState.OPEN);
        books = new JobLedger.Books(spool, store, io, policy, fresh, clock, totals, JobEvents.NONE);
        JobClaim claim = spool.adopt(spool.active().resolve("job.json")).orElseThrow();
        RunningJob job = new RunningJob(SKIPPING, clock.instant(), clock, fresh, totals);
        return new Run(job, claim, books.open(job, claim).orElseThrow());
    }

    @Test
    void aCompletedJobHasItsResultItsRejectedRecordsBesideItAndNoCheckpoint() throws Exception {
        Run run = run();
        run.ledger().recordChunk(chunkWithTwoRejections(), refusingSecond(), 2, new Position(3, null));
        clock.advance(Duration.ofSeconds(4));
        run.ledger().completed();

        assertTrue(Files.exists(spool.done().resolve("job.json")));
        assertFalse(Files.exists(spool.active().resolve("job.json")));
        Document result = Document.parse(Files.readString(spool.done().resolve("job.result.json")));
        assertEquals(3L, ((Number) result.get("documentsRead")).longValue());
        assertEquals(2L, ((Number) result.get("rejected")).longValue());
        assertEquals(2L, ((Number) result.get("retries")).longValue());
        assertEquals(4000L, ((Number) result.get("durationMillis")).longValue());
        assertEquals(2, lines(spool.done().resolve("job.rejected.ndjson")).size());
        assertTrue(store.load("job").isEmpty(), "the checkpoint is deleted");
        assertEquals(List.of("done job 3"), events);
        assertEquals(1, totals.completedJobs.sum());
    }

    @Test
    void aCancelledJobEndsInFailedWithKindCancelledAndItsRejectedRecords() throws Exception {
        Run run = run();
        run.ledger().recordChunk(chunkWithTwoRejections(), refusingSecond(), 0, new Position(3, null));
        run.job().cancel();
        run.ledger().stopped();

        Document error = Document.parse(Files.readString(spool.failed().resolve("job.error.json")));
        assertEquals("cancelled", error.getString("kind"));
        assertTrue(error.getString("message").contains("ferry ctl retry job"), error.getString("message"));
        assertEquals(2, lines(spool.failed().resolve("job.rejected.ndjson")).size());
        assertTrue(store.load("job").isEmpty());
        assertEquals(List.of("failed job cancelled"), events);
    }

    @Test
    void aJobFileRejectedBeforeItRanGoesToFailedWithItsReason() throws Exception {
        JobClaim claim = spool.claim(jobFile).orElseThrow();
        books.rejected(claim, new JobRejectedException("invalid-job", "chunkSize", "chunkSize must be a number"));
        claim.close();

        Document error = Document.parse(Files.readString(spool.failed().resolve("job.error.json")));
        assertEquals("invalid-job", error.getString("kind"));
        assertTrue(error.getString("message").startsWith("job.json: "), error.getString("message"));
        assertEquals(1, totals.failedJobs.sum());
        assertEquals(List.of("failed job invalid-job"), events);
    }

    @Test
    void aWaitingJobCancelledBeforeItStartedGoesToFailed() throws Exception {
        JobClaim claim = spool.claim(jobFile).orElseThrow();
        books.cancelledBeforeStart(claim, "job");
        claim.close();

        Document error = Document.parse(Files.readString(spool.failed().resolve("job.error.json")));
        assertEquals("cancelled", error.getString("kind"));
        assertEquals("cancelled by an operator before it started", error.getString("message"));
        assertEquals(List.of("failed job cancelled"), events);
    }
}
