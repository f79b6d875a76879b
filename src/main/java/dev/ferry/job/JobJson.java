package dev.ferry.job;

import dev.ferry.config.Utf8;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BSONException;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.codecs.BsonValueCodec;
import org.bson.codecs.DecoderContext;
import org.bson.json.JsonParseException;
import org.bson.json.JsonReader;

/**
 * Turns the bytes of a job file into a {@link BsonDocument}: bounded read, strict UTF-8, MongoDB
 * Extended JSON. Stricter than {@code BsonDocument.parse}: trailing content, duplicate field names and
 * absurd nesting are rejected, because each of them means the file does not say what its author thinks.
 */
final class JobJson {
    static final int MAX_BYTES = 1 << 20;
    /** Deeper than anything a job needs, shallow enough that recursion cannot overflow the stack. */
    static final int MAX_DEPTH = 128;
    private static final int MAX_PARSER_MESSAGE = 160;

    private static final BsonValueCodec VALUE_CODEC = new BsonValueCodec();
    private static final DecoderContext CONTEXT = DecoderContext.builder().build();

    private JobJson() {
    }

    /** Reads at most {@link #MAX_BYTES}, whatever the file claims its size is, and decodes strict UTF-8. */
    static String read(Path file) throws JobRejectedException {
        byte[] bytes;
        try {
            // Never follow a link and never open anything but a regular file: a link dropped into the
            // spool would make the daemon read (and quote in the error file) whatever its user may read,
            // and opening a FIFO would block a worker forever.
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) {
                throw JobRejectedException.invalid(null, file.getFileName() + " is " + kindOf(attrs)
                        + ", not a regular file: ferry reads only regular files from the spool and never follows links "
                        + "(nothing of it was read)");
            }
            long size = attrs.size();
            if (size > MAX_BYTES) {
                throw tooLarge(size);
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                // the file may grow between size() and the read: bound the read as well
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw JobRejectedException.invalid(null, "job file not found: " + file);
        } catch (IOException e) {
            throw JobRejectedException.invalid(null, "cannot read job file " + file + ": " + e);
        }
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(bytes.length);
        }
        return utf8(bytes);
    }

    /** What a spool entry is, in words, from attributes read without following links. */
    static String kindOf(BasicFileAttributes attrs) {
        if (attrs.isSymbolicLink()) {
            return "a symbolic link";
        }
        if (attrs.isDirectory()) {
            return "a directory";
        }
        // BasicFileAttributes tells only "other": a FIFO, a socket or a device
        return "a FIFO, socket or device";
    }

    private static JobRejectedException tooLarge(long size) {
        return JobRejectedException.invalid(null, "job file is " + size + " bytes; job files are limited to 1 MiB ("
                + MAX_BYTES + " bytes)");
    }

    static String utf8(byte[] bytes) throws JobRejectedException {
        CharsetDecoder decoder = Utf8.strictDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            CharBuffer chars = decoder.decode(in);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw JobRejectedException.invalid(null, "not UTF-8 text (invalid byte sequence at byte "
                    + in.position() + "); job files must be UTF-8 JSON");
        }
    }

    /** Parses one JSON object and nothing after it. */
    static BsonDocument parse(String text) throws JobRejectedException {
        String json = text.startsWith("\uFEFF") ? text.substring(1) : text;
        if (json.isBlank()) {
            throw JobRejectedException.invalid(null, "job file is empty; expected a JSON object { ... }");
        }
        rejectControlCharacters(json);
        try {
            JsonReader reader = new JsonReader(json);
            BsonType first = reader.readBsonType();
            if (first != BsonType.DOCUMENT) {
                throw JobRejectedException.invalid(null, "a job must be a JSON object { ... }, was "
                        + BsonTypes.describe(first));
            }
            BsonDocument doc = readDocument(reader, "", 1);
            if (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
                throw trailing();
            }
            return doc;
        } catch (JsonParseException | BSONException | IllegalArgumentException | IllegalStateException e) {
            // trailing junk after the object surfaces here as "expecting a value but found ..."
            throw JobRejectedException.invalid(null, "not valid JSON: " + shorten(e.getMessage()));
        }
    }

    private static JobRejectedException trailing() {
        return JobRejectedException.invalid(null, "not valid JSON: unexpected content after the closing } of the job");
    }

    // raw control characters are not allowed in JSON text; their presence means a binary file
    private static void rejectControlCharacters(String json) throws JobRejectedException {
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                throw JobRejectedException.invalid(null, String.format(
                        "not JSON text: control character U+%04X at character %d (a binary file?)", (int) c, i));
            }
        }
    }

    private static BsonDocument readDocument(JsonReader reader, String path, int depth) throws JobRejectedException {
        checkDepth(path, depth);
        BsonDocument doc = new BsonDocument();
        reader.readStartDocument();
        while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
            String name = reader.readName();
            String child = path.isEmpty() ? name : path + "." + name;
            if (doc.containsKey(name)) {
                throw JobRejectedException.invalid(child, "appears more than once; give each field once");
            }
            doc.put(name, readValue(reader, child, depth));
        }
        reader.readEndDocument();
        return doc;
    }

    private static BsonArray readArray(JsonReader reader, String path, int depth) throws JobRejectedException {
        checkDepth(path, depth);
        BsonArray array = new BsonArray();
        reader.readStartArray();
        while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
            array.add(readValue(reader, path + "[" + array.size() + "]", depth));
        }
        reader.readEndArray();
        return array;
    }

    private static BsonValue readValue(JsonReader reader, String path, int depth) throws JobRejectedException {
        return switch (reader.getCurrentBsonType()) {
            case DOCUMENT -> readDocument(reader, path, depth + 1);
            case ARRAY -> readArray(reader, path, depth + 1);
            default -> VALUE_CODEC.decode(reader, CONTEXT);
        };
    }

    private static void checkDepth(String path, int depth) throws JobRejectedException {
        if (depth > MAX_DEPTH) {
            // the full path would be as long as the nesting is deep: name the top-level field only
            String field = path.split("[.\\[]", 2)[0];
            throw JobRejectedException.invalid(field.isEmpty() ? null : field,
                    "nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private static String shorten(String message) {
        if (message == null) {
            return "unreadable input";
        }
        String oneLine = Text.printable(message);
        return oneLine.length() <= MAX_PARSER_MESSAGE ? oneLine : oneLine.substring(0, MAX_PARSER_MESSAGE) + "...";
    }
}
