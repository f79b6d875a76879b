package dev.ferry.sync.source;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.client.MongoCollection;
import dev.ferry.concurrent.Executors2;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A collection read as several {@code _id} ranges at once, one cursor per range, so that reading a
 * distant source keeps up with a job's lanes (docs/jobs.md, "Reading a mongodb source in ranges"). The split points come from a
 * sample of the matching {@code _id}s that the server sorts ({@link #splitPoints}); the ranges cover
 * every {@code _id} there is, so documents inserted later still fall into one of them.
 *
 * <p>Chunks are handed out in the order their ranges deliver them. {@link #position()} holds, for every
 * range, the last {@code _id} handed out of it: a checkpoint saved after chunk N therefore covers exactly
 * the chunks up to N, whichever ranges they came from, and a resumed source continues each range after
 * its own last {@code _id}. The order between ranges does not matter because the job writes by
 * {@code _id}, which no two documents share (ranges are only used for jobs keyed by {@code _id}).
 *
 * <p>Threading: {@link #nextChunk}, {@link #position()} and {@link #close()} are called by one thread at a
 * time, as for any {@link Source}; each range's cursor is used only by its reader, a task on the given
 * executor, which hands its chunks over through a queue and waits while its last chunk is not taken,
 * so that memory holds at most two chunks per range besides the cursors' batches.
 */
public final class MongoRanges implements Source {
    private static final Logger log = LoggerFactory.getLogger(MongoRanges.class);
    /** The key of the resume token that holds the ranges; no {@code _id} can be a document with this field. */
    static final String TOKEN = "$ranges";
    /** Sampled {@code _id}s per range: more evens out the ranges' sizes. */
    static final int SAMPLES_PER_RANGE = 10;
    /** How long close() waits for a reader in a {@code getMore} to end; after that it closes its cursor itself. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final MongoCollection<BsonDocument> collection;
    private final BsonDocument filter;
    private final BsonDocument projection;
    private final ExecutorService executor;
    private final List<Range> ranges;
    private final BlockingQueue<Handed> handed = new LinkedBlockingQueue<>();
    private final List<Reader> readers = new ArrayList<>();
    private long documentsRead;
    /** The chunk size of the first call, which every call must keep; 0 until then. */
    private int chunkSize;
    private int open;
    private boolean closed;

    private MongoRanges(MongoCollection<BsonDocument> collection, BsonDocument filter, BsonDocument projection,
                        List<Range> ranges, long documentsRead, ExecutorService executor) {
        this.collection = collection;
        this.filter = filter;
        this.projection = projection;
        this.ranges = ranges;
        this.documentsRead = documentsRead;
        this.executor = executor;
    }

    /** A range's bounds and how far it was read: the state a position keeps. Changed only by the reading thread. */
    private static final class Range {
        final BsonValue min;
        final BsonValue max;
        BsonValue last;
        boolean end;

        Range(BsonValue min, BsonValue max, BsonValue last, boolean end) {
            this.min = min;
            this.max = max;
            this.last = last;
            this.end = end;
        }
    }

    /** A chunk of one range (empty at its end), or the error its reader met. */
    private record Handed(int range, List<BsonDocument> documents, RuntimeException failure) {
    }

    /**
     * The ranges between {@code splitPoints} (ascending, as {@link #splitPoints} gives them), from the start.
     *
     * @param executor runs one reader per range while the source is read
     */
    public static MongoRanges start(MongoCollection<BsonDocument> collection, BsonDocument filter,
                                    BsonDocument projection, List<BsonValue> splitPoints, ExecutorService executor) {
        List<Range> ranges = new ArrayList<>();
        BsonValue min = null;
        for (BsonValue point : splitPoints) {
            ranges.add(new Range(min, point, null, false));
            min = point;
        }
        ranges.add(new Range(min, null, null, false));
        return new MongoRanges(collection, filter, projection, ranges, 0, executor);
    }

    /** Whether {@code position} was saved by a source read in ranges. */
    public static boolean isRanges(Position position) {
        BsonValue token = position.resumeToken();
        return token != null && token.isDocument() && token.asDocument().containsKey(TOKEN);
    }

    /** The ranges as {@code position} left them: each continues after its own last {@code _id}. */
    public static MongoRanges resume(MongoCollection<BsonDocument> collection, BsonDocument filter,
                                     BsonDocument projection, Position position, ExecutorService executor) {
        if (!isRanges(position)) {
            throw new IllegalArgumentException("not a position of a source read in ranges: " + position);
        }
        List<Range> ranges = new ArrayList<>();
        for (BsonValue value : position.resumeToken().asDocument().getArray(TOKEN)) {
            BsonDocument r = value.asDocument();
            ranges.add(new Range(r.get("min"), r.get("max"), r.get("last"), r.getBoolean("end", BsonBoolean.FALSE).getValue()));
        }
        return new MongoRanges(collection, filter, projection, ranges, position.documentsRead(), executor);
    }

    /**
     * Up to {@code ranges - 1} ascending {@code _id}s that cut the documents matching {@code filter} into
     * about equal ranges: a {@code $sample} of them, sorted by the server (so in its cross-type order).
     * None when there are too few documents to cut.
     *
     * @throws MongoCommandException when the server cannot sample (the caller reads one range)
     */
    public static List<BsonValue> splitPoints(MongoCollection<BsonDocument> collection, BsonDocument filter,
                                              int ranges) {
        if (ranges < 2) {
            return List.of();
        }
        List<BsonDocument> pipeline = new ArrayList<>();
        if (filter != null && !filter.isEmpty()) {
            pipeline.add(new BsonDocument("$match", filter));
        }
        pipeline.add(new BsonDocument("$sample", new BsonDocument("size", new BsonInt32(ranges * SAMPLES_PER_RANGE))));
        pipeline.add(new BsonDocument("$project", new BsonDocument("_id", new BsonInt32(1))));
        pipeline.add(new BsonDocument("$sort", new BsonDocument("_id", new BsonInt32(1))));
        List<BsonValue> sample = new ArrayList<>();
        for (BsonDocument d : collection.aggregate(pipeline)) {
            BsonValue id = d.get("_id");
            if (id != null && (sample.isEmpty() || !sample.get(sample.size() - 1).equals(id))) {
                sample.add(id); // $sample may return a document twice
            }
        }
        List<BsonValue> points = new ArrayList<>();
        for (int i = 1; i < ranges && sample.size() > 1; i++) {
            BsonValue point = sample.get((int) ((long) i * sample.size() / ranges));
            if (!point.equals(sample.get(0)) && (points.isEmpty() || !points.get(points.size() - 1).equals(point))) {
                points.add(point);
            }
        }
        return points;
    }

    /** The number of ranges, read or not. */
    public int ranges() {
        return ranges.size();
    }

    @Override
    public List<BsonDocument> nextChunk(int max) {
        Sources.requirePositive(max);
        if (closed) {
            throw new IllegalStateException("source is closed");
        }
        if (chunkSize == 0) {
            chunkSize = max;
            startReaders();
        } else if (max != chunkSize) {
            throw new IllegalArgumentException("a source read in ranges reads chunks of " + chunkSize + ", not " + max);
        }
        while (open > 0) {
            Handed next;
            try {
                next = handed.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MongoInterruptedException("interrupted while waiting for the source's ranges", e);
            }
            readers.get(next.range()).room.release();
            if (next.failure() != null) {
                throw next.failure(); // the caller closes this source and reopens it at the last position
            }
            Range range = ranges.get(next.range());
            if (next.documents().isEmpty()) {
                range.end = true;
                open--;
                continue;
            }
            range.last = next.documents().get(next.documents().size() - 1).get("_id");
            documentsRead += next.documents().size();
            return next.documents();
        }
        return List.of();
    }

    private void startReaders() {
        for (int i = 0; i < ranges.size(); i++) {
            Range range = ranges.get(i);
            Reader reader = new Reader(i, new MongoSource(collection, filter, projection, range.min, range.max,
                    new Position(0, range.last), 1));
            readers.add(reader);
            if (!range.end) {
                open++;
                try {
                    reader.task = executor.submit(reader);
                } catch (RejectedExecutionException stopping) {
                    close();
                    throw new IllegalStateException("the source's range readers cannot start: the daemon is stopping");
                }
            }
        }
    }

    @Override
    public Position position() {
        BsonArray state = new BsonArray();
        for (Range range : ranges) {
            BsonDocument r = new BsonDocument();
            if (range.min != null) {
                r.append("min", range.min);
            }
            if (range.max != null) {
                r.append("max", range.max);
            }
            if (range.last != null) {
                r.append("last", range.last);
            }
            if (range.end) {
                r.append("end", BsonBoolean.TRUE);
            }
            state.add(r);
        }
        return new Position(documentsRead, new BsonDocument(TOKEN, state));
    }

    /** Stops the readers and waits (up to {@link #CLOSE_WAIT}) until each has closed its cursor. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Reader reader : readers) {
            if (reader.task != null) {
                reader.task.cancel(true);
            }
            if (reader.started.compareAndSet(false, true)) {
                reader.source.close(); // never ran: its cursor was never opened
                reader.finished.countDown();
            }
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (Reader reader : readers) {
            // a stop may have left this thread interrupted; the wait must still happen
            if (!Executors2.awaitUninterruptibly(reader.finished, deadline)) {
                log.warn("a reader of {} did not stop within {} s; it closes its cursor when its read ends",
                        collection.getNamespace(), CLOSE_WAIT.toSeconds());
            }
        }
    }

    /** Reads one range to its end, handing each chunk over once the one before it was taken. */
    private final class Reader implements Runnable {
        final int range;
        final MongoSource source;
        /** One chunk of this range may wait to be taken. */
        final Semaphore room = new Semaphore(1);
        final AtomicBoolean started = new AtomicBoolean();
        final CountDownLatch finished = new CountDownLatch(1);
        volatile Future<?> task;

        Reader(int range, MongoSource source) {
            this.range = range;
            this.source = source;
        }

        @Override
        public void run() {
            if (!started.compareAndSet(false, true)) {
                return; // closed before it ran
            }
            try {
                while (true) {
                    List<BsonDocument> chunk = source.nextChunk(chunkSize);
                    room.acquire();
                    handed.add(new Handed(range, chunk, null));
                    if (chunk.isEmpty()) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // closing
            } catch (RuntimeException e) {
                handed.add(new Handed(range, List.of(), e));
            } catch (Error e) {
                // an OutOfMemoryError must still reach the job, which would otherwise wait for this range forever
                handed.add(new Handed(range, List.of(), new IllegalStateException("a range reader failed: " + e, e)));
                throw e;
            } finally {
                source.close();
                finished.countDown();
            }
        }
    }
}
