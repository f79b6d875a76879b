package dev.ferry.sync.source;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Counts the characters and lines a parser has taken, so that a json-array element can be named by
 * line, and keeps the first {@link Rejected#MAX_TEXT} characters of the current element: the parser
 * does not keep the text, and an element refused after it is parsed (over 16 MiB) needs its start
 * for the rejected-records file. Each character reaches the parser once through here (its own
 * look-ahead is buffered above), so what is kept is the text as the file holds it.
 */
final class CountingReader extends FilterReader {
    private final char[] start = new char[Rejected.MAX_TEXT];
    private int kept;
    /** Characters taken before the first one kept; -1 until the element's first character. */
    private long startsAt = -1;
    /**
     * Where the last character that is not blank ends, which it is, and where the one before it ends:
     * when the last is the separator the parser read past the element, the element ends at the one before.
     */
    private long solidEnd;
    private char solid;
    private long solidEndBefore;
    private long chars;
    private long line = 1;

    CountingReader(Reader in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int c = in.read();
        if (c >= 0) {
            keep((char) c);
            chars++;
            if (c == '\n') {
                line++;
            }
        }
        return c;
    }

    @Override
    public int read(char[] buffer, int off, int len) throws IOException {
        int n = in.read(buffer, off, len);
        for (int i = off; i < off + n; i++) {
            keep(buffer[i]);
            chars++;
            if (buffer[i] == '\n') {
                line++;
            }
        }
        return n;
    }

    private void keep(char c) {
        if (c > ' ') {
            solidEndBefore = solidEnd;
            solidEnd = chars + 1;
            solid = c;
        }
        if (kept == start.length) {
            return;
        }
        if (startsAt < 0) {
            // what separates elements is not part of the next one
            if (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                return;
            }
            startsAt = chars;
        }
        start[kept++] = c;
    }

    /** Keeps the element about to be read, from its first character that is not a separator. */
    void keepNextElement() {
        kept = 0;
        startsAt = -1;
    }

    /**
     * The text of the element taken since {@link #keepNextElement()}, cut as the rejected-records file
     * keeps it. The parser reads past an element's end to the {@code ,} or {@code ]} after it, which
     * is left out of its length.
     */
    String element() {
        if (startsAt < 0) {
            return "";
        }
        long end = solid == ',' || solid == ']' ? solidEndBefore : solidEnd;
        long length = Math.max(end - startsAt, 0);
        return Rejected.cut(new String(start, 0, (int) Math.min(kept, length)), length);
    }

    /** The line the last character taken is on (1-based). */
    long line() {
        return line;
    }

    long chars() {
        return chars;
    }
}
