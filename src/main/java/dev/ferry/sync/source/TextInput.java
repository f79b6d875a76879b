package dev.ferry.sync.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opens a file source's bytes: decompressed when it is gzipped, with a leading UTF-8 byte order mark
 * taken off (counted in {@link #bomLength()}, so byte offsets still refer to the file's bytes).
 */
final class TextInput {
    static final int BUFFER_BYTES = 256 * 1024;

    private final InputStream stream;
    private final int bomLength;
    private final CountingInputStream fileBytes;
    private final long fileSize;

    private TextInput(InputStream stream, int bomLength, CountingInputStream fileBytes, long fileSize) {
        this.stream = stream;
        this.bomLength = bomLength;
        this.fileBytes = fileBytes;
        this.fileSize = fileSize;
    }

    /**
     * Bytes of the file (compressed ones for gzip) read so far against its size. Buffers read ahead
     * of what the parser consumed, so it stays below 1.0 until the source says it is at the end.
     */
    double progress() {
        return fileSize <= 0 ? Source.UNKNOWN_PROGRESS : Math.min(0.999, (double) fileBytes.count() / fileSize);
    }

    /** @throws SourceException naming the file when it cannot be opened or is not gzip though named so */
    static TextInput open(Path path, boolean gzipped) throws SourceException {
        InputStream raw;
        long size;
        try {
            raw = Files.newInputStream(path);
            size = Files.size(path);
        } catch (IOException e) {
            throw new SourceException("cannot read " + path + ": " + e + "; check the path and its permissions", e);
        }
        try {
            // progress counts the file's bytes: for gzip the compressed ones the inflater took, for a
            // plain file the ones the parser pulled past the read-ahead buffer
            CountingInputStream counted;
            InputStream buffered;
            if (gzipped) {
                counted = new CountingInputStream(raw);
                buffered = new BufferedInputStream(new GZIPInputStream(counted, 64 * 1024), BUFFER_BYTES);
            } else {
                counted = new CountingInputStream(new BufferedInputStream(raw, BUFFER_BYTES));
                buffered = counted;
            }
            PushbackInputStream pushback = new PushbackInputStream(buffered, 3);
            byte[] head = pushback.readNBytes(3);
            boolean bom = head.length == 3 && head[0] == (byte) 0xEF && head[1] == (byte) 0xBB && head[2] == (byte) 0xBF;
            if (!bom) {
                pushback.unread(head);
            }
            return new TextInput(pushback, bom ? 3 : 0, counted, size);
        } catch (IOException e) {
            closeQuietly(raw);
            throw new SourceException("cannot read " + path + (gzipped ? " as gzip (its name ends in .gz)" : "") + ": " + e, e);
        }
    }

    /** The file's size on disk when it was opened. */
    long fileSize() {
        return fileSize;
    }

    InputStream stream() {
        return stream;
    }

    int bomLength() {
        return bomLength;
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // a file opened for reading: nothing to lose
        }
    }
}
