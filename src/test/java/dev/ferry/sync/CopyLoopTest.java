package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.concurrent.Executors2;
import dev.ferry.concurrent.NamedThreadFactory;
import dev.ferry.job.DestinationSpec;
import dev.ferry.job.JobSpec;
import dev.ferry.job.SourceSpec;
import dev.ferry.job.WriteMode;
import dev.ferry.pool.PoolState;
import dev.ferry.queue.JobClaim;
import dev.ferry.queue.Spool;
import dev.ferry.sync.checkpoint.Checkpoint;
import dev.ferry.sync.checkpoint.CheckpointStore;
import dev.ferry.sync.checkpoint.Counters;
import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.Origins;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.retry.Backoff;
import dev.ferry.sync.retry.ErrorClassifier;
import dev.ferry.sync.retry.RetryPolicy;
import dev.ferry.sync.retry.Retried;
import dev.ferry.sync.write.WriteOutcome;
import dev.ferry.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copy loop with a scripted source and destination: every way it ends, and what it records. */
class CopyLoopTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path state;

    private final MutableClock clock = new MutableClock(T0);
    private final ExecutorService io = Executors.newSingleThreadExecutor(new NamedThreadFactory("test-checkpoint", true));
    private final RunGate gate = new RunGate();
    private final Orchestrator.Totals statistics = new Orchestrator.Totals();
    private final RunningJob job = new RunningJob(new JobSpec("job", new SourceSpec.Inline(List.of()),
            new DestinationSpec("dest", "db", "c"), WriteMode.UPSERT, List.of("_id"), 2), clock.instant(), clock, gate,
            statistics);
    private final Reads reads = new Reads();
    private final Writes writes = new Writes();
    private CheckpointStore store;
    private JobLedger ledger;
    private int loops;

    @AfterEach
    void shutdown() {
        if (ledger != null) {
            ledger.close();
        }
        Executors2.shutdown("test-checkpoint", io, Duration.ofSeconds(5));
    }

    private CopyLoop loop() throws Exception {
        store = new CheckpointStore(state.resolve("checkpoints"));
        Spool spool = new Spool(state.resolve("spool" + (++loops)));
        spool.ensureLayout();
        Path file = Files.writeString(spool.incoming().resolve("job.json"), "{}");
        JobClaim claim = spool.claim(file).orElseThrow();
        RetryPolicy policy = new RetryPolicy(new ErrorClassifier(), new Backoff(Duration.ofMillis(1),
                Duration.ofMillis(1), 0), 3, List.of(), () -> new SplittableRandom(1), name -> PoolState.OPEN);
        JobLedger.Books books = new JobLedger.Books(spool, store, io, policy, gate, clock, statistics, JobEvents.NONE);
        ledger = books.open(job, claim).orElseThrow();
        writes.ledger = ledger;
        return new CopyLoop(job, ledger, reads, writes);
    }

    @Test
    void writtenChunksAdvanceTheProgressAndAreCheckpointedUntilTheSourceIsExhausted() throws Exception {
        reads.chunks(2, 1);
        writes.retries.add(3);
        CopyLoop loop = loop();

        assertTrue(loop.run(), "exhausted");
        JobLedger.Progress one = writes.progressAtWrite.get(1);
        assertEquals(new Position(2, null), one.position());
        assertEquals(new Counters(1, 3, 0, 2, 0, 0, 0), one.counters());

        JobLedger.Progress two = ledger.progress();
        assertEquals(new Counters(2, 3, 0, 3, 0, 0, 0), two.counters());
        assertEquals(List.of(1L, 2L), writes.chunkNumbers);
        assertEquals(3, reads.calls, "the third read found the source exhausted");

        ledger.stopped(); // drains the last checkpoint; the job stays in active/
        Checkpoint saved = store.load("job").orElseThrow();
        assertEquals(3, saved.documentsRead());
        assertEquals(two.counters(), saved.counters());
        assertEquals(T0, saved.startedAt());
        assertEquals(3, job.documentsRead());
        assertEquals(2, statistics.chunksWritten.sum());
        assertEquals(3, statistics.documentsWritten.sum());
    }

    @Test
    void aStoppingGateStopsBeforeReading() throws Exception {
        reads.chunks(2);
        gate.stop();
        assertFalse(loop().run());
        assertEquals(JobLedger.Progress.START, ledger.progress());
        assertEquals(0, reads.calls);
    }

    @Test
    void aCancelledJobStopsBeforeReading() throws Exception {
        reads.chunks(2);
        job.cancel();
        assertFalse(loop().run());
        assertEquals(0, reads.calls);
    }

    @Test
    void aStoppedReadOrWriteStopsAtTheLastAcknowledgedProgressWithoutACheckpoint() throws Exception {
        reads.script.add(new Retried.Stopped<>());
        assertFalse(loop().run());
        assertEquals(JobLedger.Progress.START, ledger.progress());
        ledger.close();

        reads.chunks(2);
        writes.stop = true;
        assertFalse(loop().run());
        assertEquals(JobLedger.Progress.START, ledger.progress());
        assertTrue(store.load("job").isEmpty());
        assertEquals(0, statistics.chunksWritten.sum());
    }

    @Test
    void aFailedWriteEndsTheJobWithItsFailure() throws Exception {
        reads.chunks(2);
        writes.failure = new JobFailure(JobFailure.WRITE_ERROR, "chunk 1: rejected", 1, 1);
        JobFailure failed = assertThrows(JobFailure.class, () -> loop().run());
        assertSame(writes.failure, failed);
    }

    /** Returns scripted chunks of numbered documents; position counts the documents returned. */
    private static final class Reads implements CopyLoop.Reads {
        final Deque<Retried<Batch>> script = new ArrayDeque<>();
        long documentsRead;
        int calls;

        void chunks(int... sizes) {
            int n = 0;
            for (int size : sizes) {
                List<BsonDocument> chunk = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    chunk.add(new BsonDocument("_id", new BsonInt32(++n)));
                }
                script.add(new Retried.Done<>(batch(chunk), 0));
            }
        }

        @Override
        public Retried<Batch> next(Position after, long chunkNo) {
            calls++;
            assertEquals(documentsRead, after.documentsRead(), "reads after the last acknowledged position");
            Retried<Batch> next = script.isEmpty() ? new Retried.Done<>(batch(List.of()), 0) : script.removeFirst();
            if (next instanceof Retried.Done<Batch> done) {
                documentsRead += done.value().records();
            }
            return next;
        }

        @Override
        public java.util.Optional<Batch> tryNext(Position after, long chunkNo) {
            return java.util.Optional.empty(); // CopyLoop reads with next(); reading ahead is ReadAheadTest's
        }

        static Batch batch(List<BsonDocument> documents) {
            return new Batch(documents, Origins.consecutive("document", 1, documents.size()), List.of(),
                    documents.isEmpty());
        }

        @Override
        public Position position() {
            return new Position(documentsRead, null);
        }

        @Override
        public void close() {
        }
    }

    /** Acknowledges every document as matched, after the scripted number of retries. */
    private static final class Writes implements CopyLoop.Writes {
        final Deque<Integer> retries = new ArrayDeque<>();
        final List<JobLedger.Progress> progressAtWrite = new ArrayList<>();
        JobLedger ledger;
        final List<Long> chunkNumbers = new ArrayList<>();
        boolean stop;
        JobFailure failure;

        @Override
        public Retried<WriteOutcome> write(List<BsonDocument> chunk, Origins origins, long chunkNo) throws JobFailure {
            if (failure != null) {
                throw failure;
            }
            if (stop) {
                return new Retried.Stopped<>();
            }
            chunkNumbers.add(chunkNo);
            progressAtWrite.add(ledger.progress());
            int r = retries.isEmpty() ? 0 : retries.removeFirst();
            return new Retried.Done<>(new WriteOutcome(0, chunk.size(), 0, 0, 0), r);
        }
    }
}
