package dev.ferry.sync.source;

import dev.ferry.config.Utf8;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonValue;

/**
 * Newline-delimited JSON, one document per line, UTF-8. Lines end in {@code \n} or {@code \r\n};
 * blank lines are skipped; the last line may lack its newline; a UTF-8 byte order mark is skipped.
 *
 * <p>Byte offsets are tracked exactly (our own line splitter over a {@link FileChannel}, since a
 * {@code BufferedReader} hides how many bytes it consumed), so the resume token
 * {@code {offset, line}} lets a resumed job seek straight to the next unread line instead of
 * re-parsing the file; {@code line} keeps error messages' line numbers right after a resume.
 * Parsing goes through {@link JsonLines} (see there for the speed finding).
 */
public final class NdjsonSource implements Source {

    /** The largest BSON document plus room for JSON syntax; a longer line cannot be a valid document. */
    static final int MAX_LINE_BYTES = 64 * 1024 * 1024;
    private static final int READ_BUFFER_BYTES = 256 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final JsonLines parser = new JsonLines();
    private byte[] line = new byte[8192];
    private int lineLength;
    /** Byte offset of the first byte not yet consumed as part of a line. */
    private long offset;
    /** Lines consumed so far (blank ones included), i.e. the number of the last line read. */
    private long lineNumber;
    private long documentsRead;
    private Position position;

    public NdjsonSource(Path path, Position start) throws SourceException {
        this.path = Objects.requireNonNull(path, "path");
        Objects.requireNonNull(start, "start");
        try {
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new SourceException("cannot read " + path + ": " + e + "; check the path and its permissions", e);
        }
        try {
            seek(start);
        } catch (SourceException e) {
            close();
            throw e;
        }
        this.documentsRead = start.documentsRead();
        this.position = start;
        buffer.flip();
    }

    private void seek(Position start) throws SourceException {
        BsonValue token = start.resumeToken();
        if (token == null) {
            if (start.documentsRead() != 0) {
                throw new SourceException("checkpoint for " + path + " has no byte offset; delete the job's checkpoint to start over");
            }
            return;
        }
        if (!token.isDocument() || !token.asDocument().isNumber("offset") || !token.asDocument().isNumber("line")) {
            throw new SourceException("checkpoint for " + path + " is not an ndjson position: " + token + "; delete the job's checkpoint to start over");
        }
        long wanted = token.asDocument().getNumber("offset").longValue();
        try {
            long size = channel.size();
            if (wanted < 0 || wanted > size || (wanted > 0 && byteAt(wanted - 1) != '\n' && wanted != size)) {
                throw new SourceException(path + " changed since the checkpoint (byte " + wanted + " is not the start of a line in a file of "
                        + size + " bytes); restore the file or delete the job's checkpoint to start over");
            }
            channel.position(wanted);
        } catch (IOException e) {
            throw new SourceException("cannot read " + path + ": " + e, e);
        }
        offset = wanted;
        lineNumber = token.asDocument().getNumber("line").longValue();
    }

    private byte byteAt(long at) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        if (channel.read(one, at) != 1) {
            throw new IOException("cannot read byte " + at);
        }
        return one.get(0);
    }

    @Override
    public List<BsonDocument> nextChunk(int max) throws SourceException {
        Sources.requirePositive(max);
        List<BsonDocument> chunk = new ArrayList<>(Math.min(max, 4096));
        try {
            while (chunk.size() < max && readLine()) {
                if (isBlank()) {
                    continue;
                }
                chunk.add(parseLine());
            }
        } catch (IOException e) {
            throw new SourceException("cannot read " + path + " at line " + (lineNumber + 1) + ": " + e, e);
        }
        documentsRead += chunk.size();
        BsonDocument token = new BsonDocument("offset", new BsonInt64(offset)).append("line", new BsonInt64(lineNumber));
        position = new Position(documentsRead, token);
        return chunk;
    }

    @Override
    public Position position() {
        return position;
    }

    private BsonDocument parseLine() throws SourceException {
        int from = lineNumber == 1 && hasBom() ? 3 : 0;
        String text = new String(line, from, lineLength - from, StandardCharsets.UTF_8);
        // new String replaces bad bytes silently; only then pay for a strict decode to say so
        if (text.indexOf('\uFFFD') >= 0) {
            requireUtf8(from);
        }
        try {
            return parser.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SourceException("line " + lineNumber + ": " + e.getMessage() + "; fix or remove that line in " + path, e);
        }
    }

    private void requireUtf8(int from) throws SourceException {
        try {
            Utf8.strictDecoder().decode(ByteBuffer.wrap(line, from, lineLength - from));
        } catch (CharacterCodingException e) {
            throw new SourceException("line " + lineNumber + ": not valid UTF-8; save " + path + " as UTF-8", e);
        }
    }

    private boolean hasBom() {
        return lineLength >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF;
    }

    private boolean isBlank() {
        int from = lineNumber == 1 && hasBom() ? 3 : 0;
        for (int i = from; i < lineLength; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Reads the next line (without its {@code \n} / {@code \r\n}) into {@code line}; false at end of file. */
    private boolean readLine() throws IOException, SourceException {
        lineLength = 0;
        boolean any = false;
        while (true) {
            if (!buffer.hasRemaining()) {
                buffer.clear();
                int n = channel.read(buffer);
                buffer.flip();
                if (n < 0) {
                    if (!any) {
                        return false;
                    }
                    break;
                }
                continue;
            }
            any = true;
            byte[] bytes = buffer.array();
            int from = buffer.position();
            int end = buffer.limit();
            int i = from;
            while (i < end && bytes[i] != '\n') {
                i++;
            }
            append(bytes, from, i - from);
            if (i < end) {
                buffer.position(i + 1);
                offset += i + 1 - from;
                break;
            }
            buffer.position(end);
            offset += end - from;
        }
        lineNumber++;
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineLength--;
        }
        return true;
    }

    private void append(byte[] bytes, int from, int length) throws SourceException {
        int needed = lineLength + length;
        if (needed > MAX_LINE_BYTES) {
            throw new SourceException("line " + (lineNumber + 1) + ": longer than " + MAX_LINE_BYTES
                    + " bytes, which no MongoDB document can be; is " + path + " really ndjson (one document per line)?");
        }
        if (needed > line.length) {
            line = Arrays.copyOf(line, Math.max(needed, Math.min(MAX_LINE_BYTES, line.length * 2)));
        }
        System.arraycopy(bytes, from, line, lineLength, length);
        lineLength = needed;
    }

    /** The byte offset after the last line returned, against the file's size (checked each time: one fstat). */
    @Override
    public double progress() {
        try {
            long size = channel.size();
            return size == 0 ? 1.0 : Math.min(1.0, (double) offset / size);
        } catch (IOException e) {
            return UNKNOWN_PROGRESS;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only file: nothing was lost
        }
    }
}
