package dev.ferry.sync.source;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayDeque;

/**
 * The text between the decoder and Commons CSV. The parser neither shows a row's text (a row it
 * cannot read has only an error message) nor bounds it (an unterminated quote makes the rest of the
 * file one cell, in memory). So this reader follows the quoting as the parser's lexer does (RFC 4180
 * for csv, none for tsv) to know where each row starts: it keeps the text from the start of the row
 * the parser is on, for the rejected-records file, and a row that grows over {@code maxChars} is read
 * on to its end without being kept or passed on; the parser's read then fails with {@link RowTooLong},
 * and the source goes on with a new parser from the next row.
 *
 * <p>Measured (throwaway, 1,000,000 rows of 7 cells, 2 busy cores): 2.6-3.2 s against 2.3-2.8 s
 * straight into the parser; the text is kept by bulk appends of what is passed on.
 */
final class CsvRows extends Reader {
    private static final int START = 0;
    private static final int SIMPLE = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_IN_QUOTED = 3;
    private static final int AFTER_QUOTED = 4;
    /** Rows remembered at most: only the parser's read-ahead lies between the oldest and the newest. */
    private static final int MAX_ROWS = 1 << 16;

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

    /** Where a row starts: its line and its offset in the text. */
    private record Start(long line, long offset) {
    }

    private final Reader in;
    private final boolean quoting;
    private final int maxChars;
    private final char[] buffer = new char[8192];
    private int position;
    /** Characters of the buffer already followed; ahead of {@link #position} while a read is served. */
    private int scanned;
    private int limit;
    private final ArrayDeque<Start> rows = new ArrayDeque<>();
    /**
     * The text passed on from the start of the oldest remembered row, which is the parser's: at most
     * one row (bounded by {@code maxChars}) and the parser's read-ahead. Index 0 is offset {@code keptBase}.
     */
    private final StringBuilder kept = new StringBuilder();
    private long keptBase;
    private long offset;
    private long line = 1;
    private boolean afterCr;
    private int state = START;
    private Start row = new Start(1, 0);
    private boolean rowEndsAfterLf;
    /** The cell of the current row being read, from 1. */
    private int cell = 1;
    /** Rows (by their first line) with a quote inside an unquoted cell, and that cell: RFC 4180 forbids it. */
    private final java.util.Map<Long, Integer> bareQuotes = new java.util.HashMap<>();

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
        if (position == limit) {
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                return -1;
            }
            position = 0;
            scanned = 0;
            limit = n;
        }
        int n = Math.min(len, limit - position);
        // a character is followed before it is passed on, so a row too long is stopped at the limit
        while (scanned < position + n) {
            if (step(buffer[scanned++])) {
                skipRow();
            }
        }
        System.arraycopy(buffer, position, to, off, n);
        kept.append(buffer, position, n);
        position += n;
        return n;
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
                offset++;
                nextRow();
                return false;
            }
            nextRow();
        }
        if (c == '\r' || c == '\n' && !afterCr) {
            line++;
        }
        afterCr = c == '\r';
        offset++;
        boolean lineBreak = c == '\r' || c == '\n';
        switch (state) {
            case QUOTED -> state = c == '"' ? QUOTE_IN_QUOTED : QUOTED;
            case QUOTE_IN_QUOTED -> state = c == '"' ? QUOTED : after(c, lineBreak);
            case AFTER_QUOTED -> state = after(c, lineBreak);
            case START -> state = lineBreak ? endRow(c) : c == '"' && quoting ? QUOTED : delimiter(c) ? nextCell() : SIMPLE;
            default -> {
                if (quoting && c == '"') {
                    bareQuotes.putIfAbsent(row.line(), cell);
                }
                state = lineBreak ? endRow(c) : delimiter(c) ? nextCell() : SIMPLE;
            }
        }
        return !rowEndsAfterLf && offset - row.offset() > maxChars;
    }

    /** After a closing quote: blanks up to the delimiter; anything else the parser refuses, then reads on as a new cell. */
    private int after(char c, boolean lineBreak) {
        if (lineBreak) {
            return endRow(c);
        }
        return delimiter(c) ? nextCell() : Character.isWhitespace(c) ? AFTER_QUOTED : START;
    }

    private int nextCell() {
        cell++;
        return START;
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

    private void nextRow() {
        cell = 1;
        row = new Start(line, offset);
        rows.addLast(row);
        // only when the parser and this reader disagree on rows could many pile up ahead of the parser
        while (rows.size() > MAX_ROWS || rows.size() > 1 && kept.length() > 2L * maxChars + buffer.length) {
            rows.pollFirst();
            forget(rows.peekFirst());
        }
    }

    /**
     * Reads on to the end of the row that grew too long, without keeping it, leaves the reader at the
     * next row and fails the parser's read.
     */
    private void skipRow() throws IOException {
        Start first = row;
        while (row == first) {
            if (scanned == limit) {
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    scanned = limit = 0;
                    if (rowEndsAfterLf) {
                        rowEndsAfterLf = false;
                        nextRow();
                    }
                    break;
                }
                scanned = 0;
                limit = n;
            }
            if (rowEndsAfterLf && buffer[scanned] != '\n') {
                // a lone \r ended the row: the character after it starts the next row, so the parser gets it
                rowEndsAfterLf = false;
                nextRow();
                break;
            }
            step(buffer[scanned++]);
        }
        position = scanned;
        long linesAfter = row == first ? line : row.line() - 1;
        String text = text(first.line());
        // what was skipped is not kept, so the kept text starts again at the next row
        rows.clear();
        rows.add(row);
        kept.setLength(0);
        keptBase = offset;
        throw new RowTooLong(first.line(), linesAfter, text);
    }

    /**
     * The parser is about to read the row that starts on {@code line}: rows before it are not asked
     * about again.
     */
    void startRow(long line) {
        if (!bareQuotes.isEmpty()) {
            bareQuotes.keySet().removeIf(l -> l < line);
        }
        while (rows.size() > 1 && rows.peekFirst().line() < line) {
            rows.pollFirst();
        }
        forget(rows.peekFirst());
    }

    private void forget(Start before) {
        long drop = Math.min(before.offset() - keptBase, kept.length());
        if (drop > 8192 && drop > kept.length() / 2) {
            kept.delete(0, (int) drop);
            keptBase += drop;
        }
    }

    /** The cell of the row that starts on {@code line} holding a quote although unquoted, or null. */
    Integer bareQuote(long line) {
        return bareQuotes.get(line);
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
        if (found == null || found.offset() < keptBase) {
            return null;
        }
        long length = (next == null ? offset : next.offset()) - found.offset();
        int from = (int) (found.offset() - keptBase);
        int to = (int) Math.min(kept.length(), Math.min((long) from + length, (long) from + Rejected.MAX_TEXT));
        String text = kept.substring(from, Math.max(from, to));
        int cut = text.length();
        while (cut > 0 && (text.charAt(cut - 1) == '\n' || text.charAt(cut - 1) == '\r')) {
            cut--;
        }
        if (text.length() == length) {
            return text.substring(0, cut);
        }
        return text + "... (" + length + " characters)";
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
