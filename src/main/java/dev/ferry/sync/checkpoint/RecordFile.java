package dev.ferry.sync.checkpoint;

import dev.ferry.sync.source.Rejected;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import dev.ferry.queue.Spool;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * One job's list of records while it runs, its rejected records or its verify list: one Extended JSON
 * line per record, appended and forced to disk before the checkpoint that counts them is saved. A job
 * resumed from a checkpoint that counts N records keeps the first N lines and cuts the rest: those were
 * written for chunks the checkpoint does not hold, which are read again and give their records again.
 * So a crash neither loses nor doubles a line.
 *
 * <p>Where: {@code active/.ID.rejected.ndjson} (hidden, so the spool ignores it) while the job runs,
 * then {@code done/ID.rejected.ndjson} or {@code failed/ID.rejected.ndjson} beside the job's outcome;
 * the same with {@code .verify.ndjson}. Used by the job's worker thread only.
 */
public final class RecordFile implements AutoCloseable {
    /** The records a job set aside. */
    public static final String REJECTED = ".rejected.ndjson";
    /** The keys a job's comparison found different (docs/jobs.md, "Verify"). */
    public static final String VERIFY = ".verify.ndjson";
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private final Path path;
    private final boolean incomplete;
    private FileChannel channel;

    private RecordFile(Path path, FileChannel channel, boolean incomplete) {
        this.path = path;
        this.channel = channel;
        this.incomplete = incomplete;
    }

    /**
     * @param keep the rejected records the job's checkpoint counts; a file with fewer lines (removed
     *             or cut by hand) is kept whole and marked {@link #incomplete()}
     */
    public static RecordFile open(Spool spool, String jobId, long keep) throws IOException {
        return open(spool, jobId, REJECTED, keep);
    }

    /** @param suffix {@link #REJECTED} or {@link #VERIFY} */
    public static RecordFile open(Spool spool, String jobId, String suffix, long keep) throws IOException {
        return open(running(spool, jobId, suffix), keep);
    }

    /**
     * Moves the job's rejected records beside its outcome, replacing those of an earlier run; a run
     * that rejected nothing leaves no file, and removes an earlier run's.
     */
    public static void finish(Spool spool, String jobId, boolean succeeded) throws IOException {
        finish(spool, jobId, REJECTED, succeeded);
    }

    /** @param suffix {@link #REJECTED} or {@link #VERIFY} */
    public static void finish(Spool spool, String jobId, String suffix, boolean succeeded) throws IOException {
        Path target = (succeeded ? spool.done() : spool.failed()).resolve(jobId + suffix);
        Path from = running(spool, jobId, suffix);
        if (Files.exists(from) && Files.size(from) > 0) {
            Files.move(from, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } else {
            Files.deleteIfExists(from);
            Files.deleteIfExists(target);
        }
    }

    private static Path running(Spool spool, String jobId, String suffix) {
        if (jobId.isEmpty() || jobId.contains("/")) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        return spool.active().resolve("." + jobId + suffix);
    }

    static RecordFile open(Path path, long keep) throws IOException {
        if (keep == 0) {
            Files.deleteIfExists(path);
            return new RecordFile(path, null, false);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        try {
            long end = endOfLine(channel, keep);
            if (end < 0) {
                channel.position(channel.size());
                return new RecordFile(path, channel, true);
            }
            channel.truncate(end);
            channel.position(end);
            channel.force(false);
            return new RecordFile(path, channel, false);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** The offset after the {@code lines}-th line break, or -1 when there are fewer. */
    private static long endOfLine(FileChannel channel, long lines) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long offset = 0;
        long seen = 0;
        channel.position(0);
        while (true) {
            buffer.clear();
            if (channel.read(buffer) < 0) {
                return -1;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                offset++;
                if (buffer.get() == '\n' && ++seen == lines) {
                    return offset;
                }
            }
        }
    }

    /** Whether the file held fewer records than the checkpoint counts when it was opened. */
    public boolean incomplete() {
        return incomplete;
    }

    public Path path() {
        return path;
    }

    /** Appends the records and forces them to disk. */
    public void append(List<Rejected> records) throws IOException {
        appendDocuments(records.stream().map(Rejected::toDocument).toList());
    }

    /** Appends one line per document and forces them to disk. */
    public void appendDocuments(List<BsonDocument> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        StringBuilder text = new StringBuilder();
        for (BsonDocument r : records) {
            text.append(r.toJson(JSON)).append('\n');
        }
        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        channel.force(false);
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // every append was forced already
            }
            channel = null;
        }
    }
}
