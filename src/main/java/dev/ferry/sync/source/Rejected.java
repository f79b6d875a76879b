package dev.ferry.sync.source;

import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * A record left out of the destination: unreadable, of the wrong shape, or refused by the server.
 *
 * @param unit   {@code line}, {@code element} or {@code document}: what {@code number} counts
 * @param record the record's text as read, or the document that was refused
 */
public record Rejected(String unit, long number, String reason, BsonValue record) {

    /** Longest text kept of an unreadable record: the file still has it all. */
    static final int MAX_TEXT = 64 * 1024;

    public static Rejected text(String unit, long number, String reason, String text) {
        return new Rejected(unit, number, reason, cut(text));
    }

    /** The text, or its first {@link #MAX_TEXT} characters and its length. */
    static BsonString cut(String text) {
        return new BsonString(cut(text.substring(0, Math.min(text.length(), MAX_TEXT)), text.length()));
    }

    /** @param start the first characters of a text of {@code length} characters, at least {@link #MAX_TEXT} of them if there are */
    static String cut(String start, long length) {
        String kept = start.length() <= MAX_TEXT ? start : start.substring(0, MAX_TEXT);
        return kept.length() == length ? kept : kept + "... (" + length + " characters)";
    }

    /** One line of {@code ID.rejected.ndjson}: {@code {"line": N, "reason": "...", "record": ...}}. */
    public BsonDocument toDocument() {
        return new BsonDocument(unit, new BsonInt64(number)).append("reason", new BsonString(reason)).append("record", record);
    }
}
