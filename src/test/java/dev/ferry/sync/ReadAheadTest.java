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
import dev.ferry.sync.write.Retried;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
    private final ExecutorService executor = Executors.newSingleThreadExecutor(new NamedThreadFactory("test-read-ahead", true));

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** Chunks of two documents numbered from 1; {@code chunks} of them, then the end. Each read is noted. */
    private static final class Numbers implements ChunkReads {
        final LinkedBlockingQueue<String> reads = new LinkedBlockingQueue<>();
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final int chunks;
        /** Reads of this chunk and later wait for {@link #gate}. */
        volatile long gateFrom = Long.MAX_VALUE;
        final CountDownLatch gate = new CountDownLatch(1);
        volatile JobFailure failAt;
        volatile long failChunk = -1;
        private long read;

        Numbers(int chunks) {
            this.chunks = chunks;
        }

        @Override
        public Retried<Batch> next(Position after, long chunkNo) throws JobFailure, InterruptedException {
            assertEquals(read, after.documentsRead(), "read from where the last chunk ended");
            reads.add(chunkNo + " on " + Thread.currentThread().getName());
            if (chunkNo >= gateFrom) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    events.add("interrupted " + chunkNo);
                    throw e;
                }
            }
            if (chunkNo == failChunk) {
                throw failAt;
            }
            List<BsonDocument> docs = new ArrayList<>();
            for (int i = 0; i < 2 && chunkNo <= chunks; i++) {
                docs.add(new BsonDocument("_id", new BsonInt32((int) ++read)));
            }
            events.add("read " + chunkNo);
            return new Retried.Done<>(new Batch(docs, Origins.consecutive("line", read - docs.size() + 1, docs.size()),
                    List.of(), chunkNo >= chunks), 0);
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

    @Test
    void theNextChunkIsReadOnAnotherThreadWhileTheJobWritesAndTheJobSeesThePositionAfterItsOwnChunk()
            throws Exception {
        Numbers source = new Numbers(3);
        ReadAhead reads = new ReadAhead(source, executor, "job");
        Batch first = done(reads.next(Position.START, 1));
        assertEquals(2, first.documents().size());
        assertEquals(new Position(2, null), reads.position());
        assertEquals(2.0 / 6, reads.progress());
        assertEquals("1 on test-read-ahead-1", source.reads.poll(5, TimeUnit.SECONDS));
        assertEquals("2 on test-read-ahead-1", source.reads.poll(5, TimeUnit.SECONDS),
                "chunk 2 is read before the job asks for it");
        assertEquals(new Position(2, null), reads.position(), "still the position after chunk 1");

        Batch second = done(reads.next(new Position(2, null), 2));
        assertEquals(List.of(new BsonDocument("_id", new BsonInt32(3)), new BsonDocument("_id", new BsonInt32(4))),
                second.documents());
        assertEquals(new Position(4, null), reads.position());
        Batch third = done(reads.next(new Position(4, null), 3));
        assertTrue(third.end());
        assertEquals("3 on test-read-ahead-1", source.reads.poll(5, TimeUnit.SECONDS));
        reads.close();
        assertEquals(List.of("read 1", "read 2", "read 3", "close"), source.events,
                "nothing read after the end (close waits for a read in flight, which would show here)");
    }

    @Test
    void aFailedReadAheadReachesTheJobWhenItAsksForThatChunk() throws Exception {
        Numbers source = new Numbers(5);
        source.failChunk = 2;
        source.failAt = new JobFailure(JobFailure.SOURCE_ERROR, "line 3: broken", 2, 1);
        ReadAhead reads = new ReadAhead(source, executor, "job");
        assertEquals(2, done(reads.next(Position.START, 1)).documents().size(), "chunk 1 is handed out whole");
        JobFailure failure = assertThrows(JobFailure.class, () -> reads.next(new Position(2, null), 2));
        assertSame(source.failAt, failure);
        reads.close();
    }

    @Test
    void closeCallsOffTheReadInFlightAndWaitsForItBeforeClosingTheSource() throws Exception {
        Numbers source = new Numbers(5);
        source.gateFrom = 2; // the read of chunk 2 waits inside the source until interrupted
        ReadAhead reads = new ReadAhead(source, executor, "job");
        reads.next(Position.START, 1);
        assertEquals("1 on test-read-ahead-1", source.reads.poll(5, TimeUnit.SECONDS));
        assertEquals("2 on test-read-ahead-1", source.reads.poll(5, TimeUnit.SECONDS), "chunk 2 is being read");
        reads.close();
        assertEquals(List.of("read 1", "interrupted 2", "close"), source.events,
                "the read ended before the source was closed");
    }

    @Test
    void whenTheExecutorTakesNoMoreTheJobReadsOnItsOwnThread() throws Exception {
        executor.shutdown();
        Numbers source = new Numbers(2);
        ReadAhead reads = new ReadAhead(source, executor, "job");
        assertEquals(2, done(reads.next(Position.START, 1)).documents().size());
        assertEquals("1 on " + Thread.currentThread().getName(), source.reads.poll(5, TimeUnit.SECONDS));
        assertEquals(2, done(reads.next(new Position(2, null), 2)).documents().size());
        reads.close();
    }

    @Test
    void aJobInterruptedWhileItWaitsCallsTheReadOff() throws Exception {
        Numbers source = new Numbers(5);
        source.gateFrom = 1;
        ReadAhead reads = new ReadAhead(source, executor, "job");
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> reads.next(Position.START, 1));
        assertFalse(Thread.interrupted(), "the interrupt was taken by the wait");
        reads.close();
        assertEquals("close", source.events.get(source.events.size() - 1));
    }
}
