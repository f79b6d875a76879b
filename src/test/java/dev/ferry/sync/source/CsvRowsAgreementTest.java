package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * {@link CsvRows} must find every row where Commons CSV starts one, or a rejected row would lose its
 * text and a row too long would not be stopped. Random text of the characters that matter (quotes,
 * delimiters, every line end, blanks), read the way {@link CsvSource} reads it: each row's text is
 * found on the line the parser says it starts, and a good row's text parses alone to the same cells.
 */
class CsvRowsAgreementTest {
    private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get();
    private static final CSVFormat TSV = CSVFormat.DEFAULT.builder().setDelimiter('\t').setQuote(null).setEscape(null)
            .setIgnoreEmptyLines(false).get();
    private static final char[] CHARS = {'a', 'b', ',', '\t', '"', '"', '\n', '\r', ' '};

    @Test
    void everyRowTheParserReadsOrRefusesStartsWhereCsvRowsSaysForRandomText() throws IOException {
        Random random = new Random(20261127);
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                text.append(CHARS[random.nextInt(CHARS.length)]);
            }
            check(text.toString(), true);
            check(text.toString(), false);
        }
    }

    private static void check(String text, boolean csv) throws IOException {
        CSVFormat format = csv ? CSV : TSV;
        CsvRows rows = new CsvRows(new StringReader(text), csv, 1 << 20);
        CSVParser parser = CSVParser.builder().setReader(rows).setFormat(format).get();
        Iterator<CSVRecord> records = parser.iterator();
        long linesDone = 0;
        String what = (csv ? "csv " : "tsv ") + text.replace("\r", "\\r").replace("\n", "\\n");
        while (true) {
            long line = linesDone + 1;
            rows.startRow(line);
            try {
                if (!records.hasNext()) {
                    return;
                }
                CSVRecord record = records.next();
                linesDone = parser.getCurrentLineNumber();
                String row = rows.text(line);
                assertNotNull(row, "no row found on line " + line + " of " + what);
                List<String> alone = row.isEmpty() ? List.of("") : CSVParser.parse(row, format).getRecords().get(0).toList();
                assertEquals(record.toList(), alone, "line " + line + " of " + what);
            } catch (UncheckedIOException e) {
                // as CsvSource does: what is left of a broken row, up to its line break, is read and dropped
                while (true) {
                    try {
                        if (records.hasNext()) {
                            records.next();
                        }
                        break;
                    } catch (UncheckedIOException again) {
                        // still inside the broken row
                    }
                }
                linesDone = parser.getCurrentLineNumber();
                assertNotNull(rows.text(line), "no text for the broken row on line " + line + " of " + what);
            }
        }
    }
}
