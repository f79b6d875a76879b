package dev.ferry.sync.source;

import dev.ferry.config.Utf8;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonValue;

/**
 * Newline-delimited JSON, one document per line, UTF-8. Lines end in {@code \n} or {@code \r\n};
 * blank lines are skipped; the last line may lack its newline; a UTF-8 byte order mark is skipped;
 * a name ending in {@code .gz} is decompressed while it is read.
 *
 * <p>The resume token {@code {offset, line}} holds the byte offset of the next unread line (in the
 * decompressed bytes for gzip) and the lines consumed. A plain file seeks straight to the offset; a
 * gzip stream cannot seek, so it is decompressed again and {@code line} lines are skipped, and the
 * offset reached must match. {@code line} keeps messages' line numbers right after a resume.
 * Parsing goes through {@link JsonLines} (see there for the speed finding).
 */
public final class NdjsonSource implements RecordSource {

    /** The largest BSON document plus room for JSON syntax; a longer line cannot be a valid document. */
    static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

    private final Path path;
    private final boolean gzipped;
    private final BadRecords bad;
    private final JsonLines parser = new JsonLines();
    private InputStream input;
    private LineReader lines;
    private TextInput text;
    private long plainSize;
    private long documentsRead;
    private Position position;
    private boolean end;

    public NdjsonSource(Path path, Position start) throws SourceException {
        this(path, false, start, BadRecords.failing(String.valueOf(path)));
    }

    public NdjsonSource(Path path, boolean gzipped, Position start, BadRecords bad) throws SourceException {
        this.path = Objects.requireNonNull(path, "path");
        this.gzipped = gzipped;
        this.bad = Objects.requireNonNull(bad, "bad");
        Objects.requireNonNull(start, "start");
        try {
            open(start);
        } catch (SourceException e) {
            close();
            throw e;
        }
        this.documentsRead = start.documentsRead();
        this.position = start;
    }

    private void open(Position start) throws SourceException {
        BsonValue token = start.resumeToken();
        if (token == null) {
            if (start.documentsRead() != 0) {
                throw new SourceException("checkpoint for " + path + " has no byte offset; delete the job's checkpoint to start over");
            }
            text = TextInput.open(path, gzipped);
            input = text.stream();
            lines = new LineReader(input, text.bomLength(), 0, MAX_LINE_BYTES);
            plainSize = text.fileSize();
            return;
        }
        if (!token.isDocument() || !token.asDocument().isNumber("offset") || !token.asDocument().isNumber("line")) {
            throw new SourceException("checkpoint for " + path + " is not an ndjson position: " + token + "; delete the job's checkpoint to start over");
        }
        long wanted = token.asDocument().getNumber("offset").longValue();
        long line = token.asDocument().getNumber("line").longValue();
        if (gzipped) {
            skipTo(wanted, line);
        } else {
            seek(wanted, line);
        }
    }

    private void seek(long wanted, long line) throws SourceException {
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            input = Channels.newInputStream(channel);
            long size = channel.size();
            plainSize = size;
            if (wanted < 0 || wanted > size || (wanted > 0 && byteAt(channel, wanted - 1) != '\n' && wanted != size)) {
                throw changed("byte " + wanted + " is not the start of a line in a file of " + size + " bytes");
            }
            channel.position(wanted);
        } catch (IOException e) {
            throw new SourceException("cannot read " + path + ": " + e, e);
        }
        lines = new LineReader(input, wanted, line, MAX_LINE_BYTES);
    }

    private void skipTo(long wanted, long line) throws SourceException {
        text = TextInput.open(path, true);
        input = text.stream();
        lines = new LineReader(input, text.bomLength(), 0, MAX_LINE_BYTES);
        try {
            while (lines.lineNumber() < line) {
                if (!lines.next()) {
                    throw changed("it has only " + lines.lineNumber() + " lines, the checkpoint says " + line + " were read");
                }
            }
        } catch (IOException e) {
            throw new SourceException("cannot read " + path + ": " + e, e);
        }
        if (lines.offset() != wanted) {
            throw changed("line " + line + " ends at byte " + lines.offset() + " of the decompressed data, not " + wanted);
        }
    }

    private SourceException changed(String how) {
        return new SourceException(path + " changed since the checkpoint (" + how
                + "); restore the file or delete the job's checkpoint to start over");
    }

    private static byte byteAt(FileChannel channel, long at) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        if (channel.read(one, at) != 1) {
            throw new IOException("cannot read byte " + at);
        }
        return one.get(0);
    }

    @Override
    public Batch nextBatch(int max) throws SourceException {
        Sources.requirePositive(max);
        List<BsonDocument> chunk = new ArrayList<>(Math.min(max, 4096));
        long[] origins = new long[Math.min(max, 4096)];
        int records = 0;
        try {
            while (records < max) {
                if (!lines.next()) {
                    end = true;
                    break;
                }
                if (lines.isBlank()) {
                    continue;
                }
                records++;
                Optional<BsonDocument> document = parseLine();
                if (document.isPresent()) {
                    if (chunk.size() == origins.length) {
                        origins = java.util.Arrays.copyOf(origins, origins.length * 2);
                    }
                    origins[chunk.size()] = lines.lineNumber();
                    chunk.add(document.get());
                }
            }
        } catch (IOException e) {
            throw new SourceException("cannot read " + path + " at line " + (lines.lineNumber() + 1) + ": " + e, e);
        }
        documentsRead += records;
        BsonDocument token = new BsonDocument("offset", new BsonInt64(lines.offset())).append("line", new BsonInt64(lines.lineNumber()));
        position = new Position(documentsRead, token);
        return new Batch(chunk, new Origins("line", java.util.Arrays.copyOf(origins, chunk.size())), bad.drain(), end);
    }

    @Override
    public Position position() {
        return position;
    }

    private Optional<BsonDocument> parseLine() throws SourceException {
        long number = lines.lineNumber();
        byte[] bytes = lines.bytes();
        int length = lines.length();
        if (lines.tooLong()) {
            bad.add("line", number, "longer than " + MAX_LINE_BYTES + " bytes (" + lines.fullLength()
                    + "), which no MongoDB document can be; is this really ndjson (one document per line)?",
                    new String(bytes, 0, Math.min(length, Rejected.MAX_TEXT), StandardCharsets.UTF_8));
            return Optional.empty();
        }
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        // new String replaces bad bytes silently; only then pay for a strict decode to say so
        if (text.indexOf('\uFFFD') >= 0 && !isUtf8(bytes, length)) {
            bad.add("line", number, "not valid UTF-8 (save the file as UTF-8)", text);
            return Optional.empty();
        }
        BsonDocument document;
        try {
            document = parser.parse(text);
        } catch (IllegalArgumentException e) {
            bad.add("line", number, e.getMessage(), text);
            return Optional.empty();
        }
        Optional<String> tooLarge = DocumentSize.tooLarge(document, length);
        if (tooLarge.isPresent()) {
            bad.add("line", number, tooLarge.get(), text);
            return Optional.empty();
        }
        return Optional.of(document);
    }

    private static boolean isUtf8(byte[] bytes, int length) {
        try {
            Utf8.strictDecoder().decode(ByteBuffer.wrap(bytes, 0, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The byte offset of a plain file against its size; a gzip file's compressed bytes read. */
    @Override
    public double progress() {
        if (end) {
            return 1.0;
        }
        if (gzipped) {
            return text.progress();
        }
        // a plain file: the offset of the next unread line is exact, read-ahead or not
        return plainSize <= 0 ? 1.0 : Math.min(1.0, (double) lines.offset() / plainSize);
    }

    @Override
    public void close() {
        if (input != null) {
            TextInput.closeQuietly(input);
        }
    }
}
