package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.concurrent.NamedThreadFactory;
import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.Origins;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.retry.Retried;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
    private static final String AHEAD = "test-read-ahead-1";
    private final ExecutorService executor = Executors.newSingleThreadExecutor(new NamedThreadFactory("test-read-ahead", true));

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /**
     * Chunks of two documents numbered from 1; {@code chunks} of them, then the end. Each read is noted
     * with its kind ({@code read}: the job's own, with retries; {@code try}: one try, as read ahead).
     */
    private static final class Numbers implements CopyLoop.Reads {
        final LinkedBlockingQueue<String> reads = new LinkedBlockingQueue<>();
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final int chunks;
        /** Tries of this chunk and later wait for {@link #gate}. */
        volatile long gateFrom = Long.MAX_VALUE;
        final CountDownLatch gate = new CountDownLatch(1);
        /** Tries of this chunk fail; the job's own read of it throws {@link #failure}. */
        volatile long failChunk = -1;
        volatile JobFailure failure;
        private long read;

        Numbers(int chunks) {
            this.chunks = chunks;
        }

        @Override
        public Retried<Batch> next(Position after, long chunkNo) throws JobFailure {
            reads.add("read " + chunkNo + " on " + Thread.currentThread().getName());
            if (chunkNo == failChunk) {
                throw failure;
            }
            return new Retried.Done<>(chunk(after, chunkNo), 0);
        }

        @Override
        public Optional<Batch> tryNext(Position after, long chunkNo) {
            reads.add("try " + chunkNo + " on " + Thread.currentThread().getName());
            if (chunkNo >= gateFrom) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    events.add("interrupted " + chunkNo);
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
            if (chunkNo == failChunk) {
                events.add("try failed " + chunkNo);
                return Optional.empty();
            }
            return Optional.of(chunk(after, chunkNo));
        }

        private Batch chunk(Position after, long chunkNo) {
            assertEquals(read, after.documentsRead(), "read from where the last chunk ended");
            List<BsonDocument> docs = new ArrayList<>();
            for (int i = 0; i < 2 && chunkNo <= chunks; i++) {
                docs.add(new BsonDocument("_id", new BsonInt32((int) ++read)));
            }
            events.add("chunk " + chunkNo);
            return new Batch(docs, Origins.consecutive("line", read - docs.size() + 1, docs.size()), List.of(),
                    chunkNo >= chunks);
        }

        @Override
        public Position position() {
            return new Position(read, null);
        }

        @Override
        public double progress() {
            return (double) read / (2 * chunks);
        }

        @Override
        public void close() {
            events.add("close");
        }
    }

    private static Batch done(Retried<Batch> r) {
        return ((Retried.Done<Batch>) r).value();
    }

    private static String me() {
        return Thread.currentThread().getName();
    }

    @Test
    void theNextChunkIsReadOnAnotherThreadWhileTheJobWritesAndTheJobSeesThePositionAfterItsOwnChunk()
            throws Exception {
        Numbers source = new Numbers(3);
        ReadAhead reads = new ReadAhead(source, executor, "job");
        Batch first = done(reads.next(Position.START, 1));
        assertEquals(2, first.documents().size());
        assertEquals(new Position(2, null), reads.position());
        assertEquals(2.0 / 6, reads.progress());
        assertEquals("read 1 on " + me(), source.reads.poll(5, TimeUnit.SECONDS));
        assertEquals("try 2 on " + AHEAD, source.reads.poll(5, TimeUnit.SECONDS),
                "chunk 2 is read before the job asks for it");
        assertEquals(new Position(2, null), reads.position(), "still the position after chunk 1");

        Batch second = done(reads.next(new Position(2, null), 2));
        assertEquals(List.of(new BsonDocument("_id", new BsonInt32(3)), new BsonDocument("_id", new BsonInt32(4))),
                second.documents());
        assertEquals(new Position(4, null), reads.position());
        Batch third = done(reads.next(new Position(4, null), 3));
        assertTrue(third.end());
        assertEquals("try 3 on " + AHEAD, source.reads.poll(5, TimeUnit.SECONDS));
        reads.close();
        assertEquals(List.of("chunk 1", "chunk 2", "chunk 3", "close"), source.events,
                "nothing read after the end (close waits for a read in flight, which would show here)");
    }

    @Test
    void whenTheTryAheadFailsTheJobReadsThatChunkItselfAndMeetsTheErrorWithItsRetries() throws Exception {
        Numbers source = new Numbers(5);
        source.failChunk = 2;
        source.failure = new JobFailure(JobFailure.SOURCE_ERROR, "line 3: broken", 2, 1);
        ReadAhead reads = new ReadAhead(source, executor, "job");
        assertEquals(2, done(reads.next(Position.START, 1)).documents().size(), "chunk 1 is handed out whole");
        JobFailure failure = assertThrows(JobFailure.class, () -> reads.next(new Position(2, null), 2));
        assertSame(source.failure, failure);
        assertEquals(List.of("read 1 on " + me(), "try 2 on " + AHEAD, "read 2 on " + me()), List.copyOf(source.reads));
        reads.close();
    }

    @Test
    void closeCallsOffTheReadInFlightAndWaitsForItBeforeClosingTheSource() throws Exception {
        Numbers source = new Numbers(5);
        source.gateFrom = 2; // the try of chunk 2 waits inside the source until interrupted
        ReadAhead reads = new ReadAhead(source, executor, "job");
        reads.next(Position.START, 1);
        assertEquals("read 1 on " + me(), source.reads.poll(5, TimeUnit.SECONDS));
        assertEquals("try 2 on " + AHEAD, source.reads.poll(5, TimeUnit.SECONDS), "chunk 2 is being read");
        Thread.currentThread().interrupt(); // as a stop may leave the job's thread: close must wait all the same
        reads.close();
        assertTrue(Thread.interrupted(), "the interrupt is kept for the job's thread");
        assertEquals(List.of("chunk 1", "interrupted 2", "close"), source.events,
                "the read ended before the source was closed");
    }

    @Test
    void whenTheExecutorTakesNoMoreTheJobReadsOnItsOwnThread() throws Exception {
        executor.shutdown();
        Numbers source = new Numbers(2);
        ReadAhead reads = new ReadAhead(source, executor, "job");
        assertEquals(2, done(reads.next(Position.START, 1)).documents().size());
        assertEquals(2, done(reads.next(new Position(2, null), 2)).documents().size());
        assertEquals(List.of("read 1 on " + me(), "read 2 on " + me()), List.copyOf(source.reads));
        reads.close();
    }

    @Test
    void aJobInterruptedWhileItWaitsForTheChunkAheadCallsTheReadOff() throws Exception {
        Numbers source = new Numbers(5);
        source.gateFrom = 2;
        ReadAhead reads = new ReadAhead(source, executor, "job");
        reads.next(Position.START, 1);
        assertEquals("read 1 on " + me(), source.reads.poll(5, TimeUnit.SECONDS));
        assertEquals("try 2 on " + AHEAD, source.reads.poll(5, TimeUnit.SECONDS));
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> reads.next(new Position(2, null), 2));
        assertFalse(Thread.interrupted(), "the interrupt was taken by the wait");
        reads.close();
        assertEquals(List.of("chunk 1", "interrupted 2", "close"), source.events);
    }

    @Test
    void aChunkAheadThatNeverRanBecauseItsExecutorStoppedIsReadByTheJob() throws Exception {
        ExecutorService stuck = Executors.newSingleThreadExecutor(new NamedThreadFactory("test-stuck", true));
        CountDownLatch hold = new CountDownLatch(1);
        stuck.submit(() -> {
            hold.await();
            return null;
        });
        try {
            Numbers source = new Numbers(3);
            ReadAhead reads = new ReadAhead(source, stuck, "job");
            reads.next(Position.START, 1); // chunk 2 queued behind the held task
            dev.ferry.concurrent.Executors2.shutdown("test-stuck", stuck, java.time.Duration.ofMillis(1));
            assertEquals(2, done(reads.next(new Position(2, null), 2)).documents().size(),
                    "the queued read was cancelled, so the job does not wait for it forever");
            assertEquals(List.of("read 1 on " + me(), "read 2 on " + me()), List.copyOf(source.reads));
            reads.close();
        } finally {
            hold.countDown();
        }
    }
}
