package dev.ferry.sync.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * Passes bytes through unchanged while checking that they are UTF-8, and remembers on which lines
 * they are not. The text is then decoded leniently, and a parser that knows the lines of a record
 * asks here whether the record was valid, so one bad byte rejects one record instead of ending the
 * stream as a strict decoder would. Lines must be counted as the parser counts them, else the wrong
 * record is blamed: by {@code \n} for json-array ({@link CountingReader}), also by a lone
 * {@code \r} for csv/tsv (Commons CSV and {@link CsvRows}).
 */
final class Utf8Watch extends FilterInputStream {
    /** Beyond this many remembered lines the file is not text; earlier ones are forgotten as records pass. */
    private static final int MAX_REMEMBERED = 1 << 16;

    private final ArrayDeque<Long> malformed = new ArrayDeque<>();
    private final boolean crEndsLine;
    private long line = 1;
    /** The last byte was a {@code \r} that ended a line, so a {@code \n} right after it ends none. */
    private boolean afterCr;
    private int need;
    private int lo = 0x80;
    private int hi = 0xBF;

    private Utf8Watch(InputStream in, boolean crEndsLine) {
        super(in);
        this.crEndsLine = crEndsLine;
    }

    /** Lines end at {@code \n} only, as {@link CountingReader} counts them. */
    static Utf8Watch linesByLf(InputStream in) {
        return new Utf8Watch(in, false);
    }

    /** Lines end at {@code \r\n}, {@code \n} or a lone {@code \r}, as Commons CSV counts them. */
    static Utf8Watch linesAsCsv(InputStream in) {
        return new Utf8Watch(in, true);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            atEnd();
        } else {
            check(b);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            atEnd();
            return n;
        }
        for (int i = off; i < off + n; i++) {
            int c = b[i] & 0xFF;
            if (c < 0x80 && need == 0) {
                count(c);
            } else {
                check(c);
            }
        }
        return n;
    }

    private void atEnd() {
        if (need > 0) {
            mark();
            need = 0;
        }
    }

    private void check(int c) {
        if (need > 0) {
            if (c >= lo && c <= hi) {
                need--;
                lo = 0x80;
                hi = 0xBF;
                return;
            }
            mark();
            need = 0;
            lo = 0x80;
            hi = 0xBF;
        }
        if (c < 0x80) {
            count(c);
            return;
        }
        afterCr = false;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c == 0xE0) {
            need = 2;
            lo = 0xA0;
        } else if (c == 0xED) {
            need = 2;
            hi = 0x9F;
        } else if (c >= 0xE1 && c <= 0xEF) {
            need = 2;
        } else if (c == 0xF0) {
            need = 3;
            lo = 0x90;
        } else if (c >= 0xF1 && c <= 0xF3) {
            need = 3;
        } else if (c == 0xF4) {
            need = 3;
            hi = 0x8F;
        } else {
            mark();
        }
    }

    private void count(int c) {
        if (c == '\n') {
            if (!afterCr) {
                line++;
            }
            afterCr = false;
        } else if (c == '\r' && crEndsLine) {
            line++;
            afterCr = true;
        } else {
            afterCr = false;
        }
    }

    private void mark() {
        if (malformed.isEmpty() || malformed.peekLast() != line) {
            if (malformed.size() == MAX_REMEMBERED) {
                malformed.pollFirst();
            }
            malformed.addLast(line);
        }
    }

    /** Whether a byte on a line from {@code first} to {@code last} (inclusive) was not UTF-8. */
    boolean malformedBetween(long first, long last) {
        for (Long l : malformed) {
            if (l >= first && l <= last) {
                return true;
            }
        }
        return false;
    }

    /** Lines before {@code line} will not be asked about again. */
    void forgetBefore(long line) {
        while (!malformed.isEmpty() && malformed.peekFirst() < line) {
            malformed.pollFirst();
        }
    }
}
