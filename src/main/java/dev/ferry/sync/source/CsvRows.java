package dev.ferry.sync.source;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayDeque;

/**
 * The text between the decoder and Commons CSV. The parser neither shows a row's text (a row it
 * cannot read has only an error message) nor bounds it (an unterminated quote makes the rest of the
 * file one cell, in memory). So this reader follows the quoting as the parser's lexer does (RFC 4180
 * for csv, none for tsv) to know where each row starts: it keeps the start of every row not yet
 * passed, for the rejected-records file, and a row that grows over {@code maxChars} is read on to
 * its end without being kept or passed on; the parser's read then fails with {@link RowTooLong},
 * and the source goes on with a new parser from the next row.
 */
final class CsvRows extends Reader {
    private static final int START = 0;
    private static final int SIMPLE = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_IN_QUOTED = 3;
    private static final int AFTER_QUOTED = 4;
    /** Rows remembered at most: only the parser's read-ahead lies between the oldest and the newest. */
    private static final int MAX_ROWS = 1 << 16;
    private static final int MAX_KEPT = 16 << 20;

    /** A row that grew over the limit; the reader stands at the start of the row after it. */
    static final class RowTooLong extends IOException {
        private static final long serialVersionUID = 1L;
        final long line;
        /** Lines of the file up to the end of the row. */
        final long linesAfter;
        final String text;

        RowTooLong(long line, long linesAfter, String text) {
            super("the row starting on line " + line + " is longer than the limit");
            this.line = line;
            this.linesAfter = linesAfter;
            this.text = text;
        }
    }

    /** Where a row starts: its line, its offset in the text, and its first character's index in {@link #kept}. */
    private record Start(long line, long offset, long kept) {
    }

    private final Reader in;
    private final boolean quoting;
    private final int maxChars;
    private final char[] buffer = new char[8192];
    private int position;
    private int limit;
    private final ArrayDeque<Start> rows = new ArrayDeque<>();
    /** The first {@link Rejected#MAX_TEXT} characters of each remembered row; index {@code keptBase} is its first. */
    private final StringBuilder kept = new StringBuilder();
    private long keptBase;
    private long keptTotal;
    private long offset;
    private long line = 1;
    private boolean afterCr;
    private int state = START;
    private Start row = new Start(1, 0, 0);
    private boolean rowEndsAfterLf;

    CsvRows(Reader in, boolean quoting, int maxChars) {
        this.in = in;
        this.quoting = quoting;
        this.maxChars = maxChars;
        rows.add(row);
    }

    @Override
    public int read(char[] to, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position == limit && !fill()) {
            return -1;
        }
        int n = Math.min(len, limit - position);
        System.arraycopy(buffer, position, to, off, n);
        position += n;
        return n;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
            return false;
        }
        position = 0;
        limit = n;
        for (int i = 0; i < n; i++) {
            if (step(buffer[i])) {
                skipRow(i + 1);
            }
        }
        return true;
    }

    /**
     * Takes one character of the text; true when it makes the current row longer than the limit.
     * Line breaks are counted as the parser counts them: {@code \r\n}, {@code \r} and {@code \n}.
     */
    private boolean step(char c) {
        if (rowEndsAfterLf) {
            rowEndsAfterLf = false;
            if (c == '\n') {
                afterCr = false;
                take(c);
                nextRow();
                return false;
            }
            nextRow();
        }
        if (c == '\r' || c == '\n' && !afterCr) {
            line++;
        }
        afterCr = c == '\r';
        take(c);
        boolean lineBreak = c == '\r' || c == '\n';
        switch (state) {
            case QUOTED -> state = c == '"' ? QUOTE_IN_QUOTED : QUOTED;
            case QUOTE_IN_QUOTED -> state = c == '"' ? QUOTED : after(c, lineBreak);
            case AFTER_QUOTED -> state = after(c, lineBreak);
            case START -> state = lineBreak ? endRow(c) : c == '"' && quoting ? QUOTED : delimiter(c) ? START : SIMPLE;
            default -> state = lineBreak ? endRow(c) : delimiter(c) ? START : SIMPLE;
        }
        return !rowEndsAfterLf && offset - row.offset() > maxChars;
    }

    /** After a closing quote: blanks up to the delimiter; anything else the parser refuses, then reads on as a new cell. */
    private int after(char c, boolean lineBreak) {
        if (lineBreak) {
            return endRow(c);
        }
        return delimiter(c) ? START : Character.isWhitespace(c) ? AFTER_QUOTED : START;
    }

    private boolean delimiter(char c) {
        return c == (quoting ? ',' : '\t');
    }

    private int endRow(char c) {
        if (c == '\r') {
            rowEndsAfterLf = true;
            return START;
        }
        nextRow();
        return START;
    }

    private void take(char c) {
        offset++;
        if (offset - 1 - row.offset() < Rejected.MAX_TEXT) {
            kept.append(c);
            keptTotal++;
        }
    }

    private void nextRow() {
        row = new Start(line, offset, keptTotal);
        rows.addLast(row);
        // only when the parser and this reader disagree on rows could many pile up ahead of the parser
        while (rows.size() > MAX_ROWS || rows.size() > 1 && kept.length() > MAX_KEPT) {
            rows.pollFirst();
            forget(rows.peekFirst());
        }
    }

    /**
     * Reads on to the end of the row that grew too long, without keeping it, leaves the reader at the
     * next row and fails the parser's read.
     */
    private void skipRow(int from) throws IOException {
        Start first = row;
        int i = from;
        while (row == first) {
            if (i == limit) {
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    i = limit = 0;
                    if (rowEndsAfterLf) {
                        rowEndsAfterLf = false;
                        nextRow();
                    }
                    break;
                }
                i = 0;
                limit = n;
            }
            step(buffer[i++]);
        }
        position = i;
        long linesAfter = row == first ? line : row.line() - 1;
        throw new RowTooLong(first.line(), linesAfter, text(first.line()));
    }

    /**
     * The parser is about to read the row that starts on {@code line}: rows before it are not asked
     * about again.
     */
    void startRow(long line) {
        while (rows.size() > 1 && rows.peekFirst().line() < line) {
            rows.pollFirst();
        }
        forget(rows.peekFirst());
    }

    private void forget(Start before) {
        long drop = before.kept() - keptBase;
        if (drop > 8192 && drop > kept.length() / 2) {
            kept.delete(0, (int) drop);
            keptBase = before.kept();
        }
    }

    /**
     * The row that starts on {@code line} as the file holds it, without its line break; a long one
     * cut with a note of its length. Null when the row was not seen (its start is forgotten).
     */
    String text(long line) {
        Start found = null;
        Start next = null;
        for (Start s : rows) {
            if (found != null) {
                next = s;
                break;
            }
            if (s.line() == line) {
                found = s;
            }
        }
        if (found == null || found.kept() < keptBase) {
            return null;
        }
        long end = next == null ? keptTotal : next.kept();
        long length = (next == null ? offset : next.offset()) - found.offset();
        String text = kept.substring((int) (found.kept() - keptBase), (int) (end - keptBase));
        int cut = text.length();
        while (cut > 0 && (text.charAt(cut - 1) == '\n' || text.charAt(cut - 1) == '\r')) {
            cut--;
        }
        length -= text.length() - cut;
        text = text.substring(0, cut);
        return length > text.length() ? text + "... (" + length + " characters)" : text;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
