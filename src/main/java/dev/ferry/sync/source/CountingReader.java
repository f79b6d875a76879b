package dev.ferry.sync.source;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/** Counts the characters and lines a parser has taken, so that a json-array element can be named by line. */
final class CountingReader extends FilterReader {
    private long chars;
    private long line = 1;

    CountingReader(Reader in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int c = in.read();
        if (c >= 0) {
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
            if (buffer[i] == '\n') {
                line++;
            }
        }
        chars += Math.max(n, 0);
        return n;
    }

    /** The line the last character taken is on (1-based). */
    long line() {
        return line;
    }

    long chars() {
        return chars;
    }
}
