package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** Where {@link CsvRows} finds rows, and how much of a row that never ends it hands to the parser. */
class CsvRowsTest {

    /** Reads everything the parser would get, in 100-character reads as a buffered reader does. */
    private static String drain(CsvRows rows) throws IOException {
        StringBuilder out = new StringBuilder();
        char[] buffer = new char[100];
        for (int n; (n = rows.read(buffer, 0, buffer.length)) >= 0; ) {
            out.append(buffer, 0, n);
        }
        return out.toString();
    }

    @Test
    void eachRowIsFoundByItsLineWithQuotedLineBreaksAndEveryKindOfLineEnd() throws IOException {
        String text = "a,b\r\n\"x\r\ny\",\"q\"\"\n\",1\n\n2,\"z\"\r3,w";
        CsvRows rows = new CsvRows(new StringReader(text), true, 1000);
        assertEquals(text, drain(rows), "the text passes unchanged");
        assertEquals("a,b", rows.text(1));
        assertEquals("\"x\r\ny\",\"q\"\"\n\",1", rows.text(2), "lines 2 to 4 are one row");
        assertNull(rows.text(3), "no row starts inside quotes");
        assertEquals("", rows.text(5));
        assertEquals("2,\"z\"", rows.text(6));
        assertEquals("3,w", rows.text(7), "a lone \\r ends a line, as the parser counts it");
        rows.startRow(6);
        assertNull(rows.text(2), "rows before the parser's are forgotten");
        assertEquals("3,w", rows.text(7));
    }

    @Test
    void tsvHasNoQuotingSoAQuoteDoesNotJoinLines() throws IOException {
        CsvRows rows = new CsvRows(new StringReader("\"a\tb\n\"c\n"), false, 1000);
        drain(rows);
        assertEquals("\"a\tb", rows.text(1));
        assertEquals("\"c", rows.text(2));
    }

    @Test
    void aRowThatNeverEndsReachesTheParserOnlyUpToTheLimitThenIsSkippedToTheEnd() throws IOException {
        int limit = 10_000;
        Reader endless = new Reader() {
            private long left = 50L * limit;
            private boolean opened;

            @Override
            public int read(char[] to, int off, int len) {
                if (!opened) {
                    opened = true;
                    to[off] = '"';
                    return 1;
                }
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(to, off, off + n, 'x');
                left -= n;
                return n;
            }

            @Override
            public void close() {
            }
        };
        CsvRows rows = new CsvRows(endless, true, limit);
        char[] buffer = new char[512];
        long delivered = 0;
        CsvRows.RowTooLong tooLong = null;
        try {
            for (int n; (n = rows.read(buffer, 0, buffer.length)) >= 0; ) {
                delivered += n;
            }
        } catch (CsvRows.RowTooLong e) {
            tooLong = e;
        }
        assertTrue(tooLong != null, "the row is refused");
        assertTrue(delivered <= limit + 8192, "the parser got " + delivered + " characters of the row");
        assertEquals(1, tooLong.line);
        assertTrue(tooLong.text.startsWith("\"xxx") && tooLong.text.endsWith("... (" + (50L * limit + 1) + " characters)"),
                tooLong.text.substring(tooLong.text.length() - 30));
        assertEquals(-1, rows.read(buffer, 0, buffer.length), "the row ran to the end of the text");
    }

    @Test
    void aTsvLineTooLongEndsAtItsLineBreakWhateverQuotesItHas() throws IOException {
        CsvRows rows = new CsvRows(new StringReader("\"a\t" + "x".repeat(100) + "\nb\tc\n"), false, 50);
        CsvRows.RowTooLong e = assertThrows(CsvRows.RowTooLong.class, () -> drain(rows));
        assertEquals(1, e.line);
        assertEquals(1, e.linesAfter);
        assertEquals("b\tc\n", drain(rows));
    }

    @Test
    void afterARowTooLongTheNextReadStartsOnTheNextRow() throws IOException {
        String text = "1,\"" + "y\n".repeat(100) + "\"\r\n2,ok\n";
        CsvRows rows = new CsvRows(new StringReader(text), true, 50);
        CsvRows.RowTooLong e = assertThrows(CsvRows.RowTooLong.class, () -> drain(rows));
        assertEquals(1, e.line);
        assertEquals(101, e.linesAfter, "the row spans lines 1 to 101");
        assertEquals("2,ok\n", drain(rows));
        assertEquals("2,ok", rows.text(102));
    }
}
