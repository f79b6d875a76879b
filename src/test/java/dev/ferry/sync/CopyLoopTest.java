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
import dev.ferry.testing.Await;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

    private final ExecutorService laneThreads = Executors.newCachedThreadPool(new NamedThreadFactory("test-lane", true));
    private final ExecutorService worker = Executors.newSingleThreadExecutor(new NamedThreadFactory("test-worker", true));

    @AfterEach
    void shutdown() {
        if (ledger != null) {
            ledger.close();
        }
        Executors2.shutdown("test-worker", worker, Duration.ofSeconds(5));
        Executors2.shutdown("test-lane", laneThreads, Duration.ofSeconds(5));
        Executors2.shutdown("test-checkpoint", io, Duration.ofSeconds(5));
    }

    private CopyLoop loop() throws Exception {
        return loop(1, Long.MAX_VALUE, writes);
    }

    private CopyLoop<WriteOutcome> loop(int lanes, long maxBytes, CopyLoop.Writes<WriteOutcome> to) throws Exception {
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
        return lanes == 1 && maxBytes == Long.MAX_VALUE ? CopyLoop.copying(job, ledger, reads, to)
                : CopyLoop.copying(job, ledger, reads, to, lanes, maxBytes, laneThreads);
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

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void lanesWriteSeveralChunksAtOnceAndRecordThemInSourceOrder() throws Exception {
        reads.chunks(2, 2, 2, 2);
        Gated gated = new Gated();
        CopyLoop loop = loop(3, Long.MAX_VALUE, gated);
        Future<Boolean> run = worker.submit(loop::run);

        Await.until(WAIT, () -> gated.started.size() == 3, "three chunks written at once");
        assertEquals(3, job.getChunksInFlight());
        gated.release(3);
        gated.release(2);
        Thread.sleep(50); // a recording out of order would happen now; none may
        assertEquals(JobLedger.Progress.START, ledger.progress(), "chunks 2 and 3 wait for chunk 1");
        gated.release(1);
        Await.until(WAIT, () -> ledger.progress().counters().chunks() == 3, "1, 2, 3 recorded");
        assertEquals(new Position(6, null), ledger.progress().position());
        Await.until(WAIT, () -> gated.started.contains(4L), "the fourth chunk in a freed lane");
        gated.release(4);
        assertTrue(run.get(10, TimeUnit.SECONDS));
        assertEquals(new Counters(4, 0, 0, 8, 0, 0, 0), ledger.progress().counters());
        assertEquals(0, job.getChunksInFlight());
    }

    @Test
    void aChunkThatSharesAKeyWithAChunkInFlightWaitsForIt() throws Exception {
        reads.script.add(new Retried.Done<>(Reads.batch(new ArrayList<>(List.of(doc(1), doc(2)))), 0));
        reads.script.add(new Retried.Done<>(Reads.batch(new ArrayList<>(List.of(doc(3), doc(1)))), 0));
        Gated gated = new Gated();
        Future<Boolean> run = worker.submit(loop(4, Long.MAX_VALUE, gated)::run);

        Await.until(WAIT, () -> gated.started.size() == 1, "chunk 1 written");
        Thread.sleep(50);
        assertEquals(List.of(1L), List.copyOf(gated.started), "chunk 2 holds key 1 of chunk 1: it waits");
        gated.release(1);
        Await.until(WAIT, () -> gated.started.contains(2L), "chunk 2 after chunk 1");
        gated.release(2);
        assertTrue(run.get(10, TimeUnit.SECONDS));
    }

    @Test
    void theBytesInFlightAreCapped() throws Exception {
        reads.chunks(2, 2, 2);
        Gated gated = new Gated();
        Future<Boolean> run = worker.submit(loop(8, 1, gated)::run);
        Await.until(WAIT, () -> gated.started.size() == 1, "chunk 1 written");
        Thread.sleep(50);
        assertEquals(1, gated.started.size(), "a cap below one chunk's bytes writes one chunk at a time");
        for (long c = 1; c <= 3; c++) {
            long chunk = c;
            Await.until(WAIT, () -> gated.started.contains(chunk), "chunk " + chunk);
            gated.release(chunk);
        }
        assertTrue(run.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aStopRecordsOnlyTheWhollyAcknowledgedPrefix() throws Exception {
        reads.chunks(2, 2, 2);
        Gated gated = new Gated();
        Future<Boolean> run = worker.submit(loop(3, Long.MAX_VALUE, gated)::run);
        Await.until(WAIT, () -> gated.started.size() == 3, "three chunks in flight");
        gated.release(1);
        gated.release(3);
        Await.until(WAIT, () -> ledger.progress().counters().chunks() == 1, "chunk 1 recorded");
        gated.stop(2); // shutdown while chunk 2 was written: it was not acknowledged
        assertFalse(run.get(10, TimeUnit.SECONDS));
        assertEquals(new Position(2, null), ledger.progress().position(), "chunk 3 is written again on resume");
        assertEquals(1, ledger.progress().counters().chunks());
    }

    @Test
    void aStoppedChunkIsNeverPassedByTheCheckpointEvenWhenTheChunksAfterItWereWritten() throws Exception {
        reads.chunks(2, 2, 2);
        Gated gated = new Gated();
        Future<Boolean> run = worker.submit(loop(2, Long.MAX_VALUE, gated)::run);
        Await.until(WAIT, () -> gated.started.size() == 2, "two chunks in flight");
        gated.release(2); // acknowledged, but behind chunk 1
        gated.stop(1); // shutdown while chunk 1 waited for a retry
        assertFalse(run.get(10, TimeUnit.SECONDS));
        assertEquals(JobLedger.Progress.START, ledger.progress(), "chunk 2 is not recorded past chunk 1");
        ledger.stopped();
        assertTrue(store.load("job").isEmpty(), "no checkpoint passes the chunk that was not written");
    }

    @Test
    void aChunkThatFailsForGoodFailsTheJobAfterTheChunksBeforeItAreRecorded() throws Exception {
        reads.chunks(2, 2, 2);
        Gated gated = new Gated();
        Future<Boolean> run = worker.submit(loop(3, Long.MAX_VALUE, gated)::run);
        Await.until(WAIT, () -> gated.started.size() == 3, "three chunks in flight");
        gated.release(3);
        gated.fail(2, new JobFailure(JobFailure.WRITE_ERROR, "chunk 2: rejected", 2, 1));
        gated.release(1);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> run.get(10, TimeUnit.SECONDS));
        assertEquals("chunk 2: rejected", failed.getCause().getMessage());
        assertEquals(1, ledger.progress().counters().chunks(), "chunk 1 was recorded, chunk 3 was not");
    }

    private static BsonDocument doc(int id) {
        return new BsonDocument("_id", new BsonInt32(id));
    }

    /** Each chunk's write waits until the test releases, stops or fails it. */
    private static final class Gated implements CopyLoop.Writes<WriteOutcome> {
        final Set<Long> started = ConcurrentHashMap.newKeySet();
        private final Map<Long, CompletableFuture<Object>> outcomes = new ConcurrentHashMap<>();

        private CompletableFuture<Object> outcome(long chunkNo) {
            return outcomes.computeIfAbsent(chunkNo, c -> new CompletableFuture<>());
        }

        void release(long chunkNo) {
            outcome(chunkNo).complete("ok");
        }

        void stop(long chunkNo) {
            outcome(chunkNo).complete("stop");
        }

        void fail(long chunkNo, JobFailure failure) {
            outcome(chunkNo).complete(failure);
        }

        @Override
        public Retried<WriteOutcome> write(List<BsonDocument> chunk, Origins origins, long chunkNo,
                                           Lanes.Turn turn) throws JobFailure, InterruptedException {
            started.add(chunkNo);
            Object outcome;
            try {
                outcome = outcome(chunkNo).get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
            if (outcome instanceof JobFailure failure) {
                throw failure;
            }
            return "stop".equals(outcome) ? new Retried.Stopped<>()
                    : new Retried.Done<>(new WriteOutcome(0, chunk.size(), 0, 0, 0), 0);
        }
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
    private static final class Writes implements CopyLoop.Writes<WriteOutcome> {
        final Deque<Integer> retries = new ArrayDeque<>();
        final List<JobLedger.Progress> progressAtWrite = new ArrayList<>();
        JobLedger ledger;
        final List<Long> chunkNumbers = new ArrayList<>();
        boolean stop;
        JobFailure failure;

        @Override
        public Retried<WriteOutcome> write(List<BsonDocument> chunk, Origins origins, long chunkNo, Lanes.Turn turn)
                throws JobFailure {
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
