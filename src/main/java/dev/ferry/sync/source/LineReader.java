package dev.ferry.sync.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits bytes into lines ({@code \n} or {@code \r\n}), counting lines and the byte offset after
 * each, which a {@code BufferedReader} would hide. A line longer than {@code maxBytes} is read to
 * its end but only its first {@code maxBytes} are kept, and {@link #tooLong()} says so, so that one
 * huge line can be rejected without holding it.
 */
final class LineReader {
    private final InputStream in;
    private final int maxBytes;
    private final byte[] buffer = new byte[TextInput.BUFFER_BYTES];
    private int position;
    private int limit;
    private byte[] line = new byte[8192];
    private int length;
    private long fullLength;
    private long offset;
    private long lineNumber;

    /** @param offset, lineNumber where {@code in} stands: the byte offset in the file and the lines before it */
    LineReader(InputStream in, long offset, long lineNumber, int maxBytes) {
        this.in = in;
        this.offset = offset;
        this.lineNumber = lineNumber;
        this.maxBytes = maxBytes;
    }

    /** Reads the next line; false at the end of the input. */
    boolean next() throws IOException {
        length = 0;
        fullLength = 0;
        boolean any = false;
        while (true) {
            if (position == limit) {
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    if (!any) {
                        return false;
                    }
                    break;
                }
                position = 0;
                limit = n;
                continue;
            }
            any = true;
            int from = position;
            int i = from;
            while (i < limit && buffer[i] != '\n') {
                i++;
            }
            append(from, i - from);
            if (i < limit) {
                position = i + 1;
                offset += i + 1 - from;
                break;
            }
            position = limit;
            offset += limit - from;
        }
        lineNumber++;
        if (length > 0 && length == fullLength && line[length - 1] == '\r') {
            length--;
            fullLength--;
        }
        return true;
    }

    private void append(int from, int count) {
        fullLength += count;
        int keep = (int) Math.min(count, Math.max(0, maxBytes - length));
        if (keep == 0) {
            return;
        }
        int needed = length + keep;
        if (needed > line.length) {
            line = Arrays.copyOf(line, Math.max(needed, Math.min(maxBytes, line.length * 2)));
        }
        System.arraycopy(buffer, from, line, length, keep);
        length = needed;
    }

    byte[] bytes() {
        return line;
    }

    /** Bytes kept of the current line (without its line end). */
    int length() {
        return length;
    }

    boolean tooLong() {
        return fullLength > maxBytes;
    }

    long fullLength() {
        return fullLength;
    }

    /** The number of the current line (1-based). */
    long lineNumber() {
        return lineNumber;
    }

    /** The byte offset after the current line. */
    long offset() {
        return offset;
    }

    boolean isBlank() {
        for (int i = 0; i < length; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return !tooLong();
    }
}
