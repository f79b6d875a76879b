package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.job.CsvOptions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * csv rows the parser cannot read, as the operator sees them in the rejected-records file: with their
 * text as the file holds it, and a row over 16 MiB (an unterminated quote runs to the end of the file)
 * rejected naming the line it starts on, without holding the rest of the file.
 */
class CsvBadRowsTest {
    /** Lines of 4 characters until the text is over the 16 Mi characters a row may have. */
    private static final int FILL_LINES = (DocumentSize.MAX_BYTES / 4) + 1000;

    @TempDir
    Path dir;

    private static CsvSource csv(Path file, boolean skip) throws SourceException {
        return csv(file, Position.START, skip);
    }

    private static CsvSource csv(Path file, Position start, boolean skip) throws SourceException {
        return new CsvSource(file, false, false, CsvOptions.DEFAULT, start, new BadRecords(skip, file.toString()));
    }

    private static String record(Rejected r) {
        return r.record().asString().getValue();
    }

    @Test
    void aRowWithBrokenQuotingIsRejectedWithItsTextAsTheFileHoldsIt() throws Exception {
        Path file = Files.writeString(dir.resolve("q.csv"),
                "name,age\r\nAnn,42\r\n\"Dan\"x,3\r\nEve,\"two\r\nlines\"x,4\r\nZed,1\r\n");
        try (CsvSource source = csv(file, true)) {
            Batch b = CsvSourceTest.all(source);
            assertEquals(List.of(BsonDocument.parse("{name: 'Ann', age: 42}"), BsonDocument.parse("{name: 'Zed', age: 1}")),
                    b.documents());
            assertEquals(6, b.origins().number(1), "the rows after the broken ones keep their lines");
            assertEquals(List.of(3L, 4L), b.rejected().stream().map(Rejected::number).toList());
            assertTrue(b.rejected().get(0).reason().startsWith("not valid csv: "), b.rejected().toString());
            assertEquals("\"Dan\"x,3", record(b.rejected().get(0)));
            assertEquals("Eve,\"two\r\nlines\"x,4", record(b.rejected().get(1)));
        }
    }

    /** mongoimport's own test file's row {@code 3,5".4,string}: RFC 4180 forbids a quote in an unquoted cell. */
    @Test
    void aBareQuoteInAnUnquotedCellIsABadRecordNamedByLineAndCell() throws Exception {
        Path file = Files.writeString(dir.resolve("bare.csv"),
                "a,b,c\n1,2,ok\n3,5\".4,string\n\"4\",\"say \"\"hi\"\"\",x\n");
        try (CsvSource source = csv(file, true)) {
            Batch b = CsvSourceTest.all(source);
            assertEquals(List.of(BsonDocument.parse("{a: 1, b: 2, c: 'ok'}"),
                    BsonDocument.parse("{a: 4, b: 'say \"hi\"', c: 'x'}")), b.documents(), "escaped quotes in a quoted cell are fine");
            assertEquals(1, b.rejected().size(), b.rejected().toString());
            assertEquals(3L, b.rejected().get(0).number());
            assertTrue(b.rejected().get(0).reason().contains("a bare \" in the unquoted cell 2"),
                    b.rejected().get(0).reason());
            assertEquals("3,5\".4,string", record(b.rejected().get(0)));
        }
        try (CsvSource source = csv(file, false)) {
            SourceException e = assertThrows(SourceException.class, () -> CsvSourceTest.all(source));
            assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("bare"), e.getMessage());
        }
    }

    @Test
    void anUnterminatedQuoteRunningOver16MiBIsRejectedNamingTheLineItStartsOn() throws Exception {
        Path file = dir.resolve("open.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("a,b\n1,x\n2,\"open\n");
            for (int i = 0; i < FILL_LINES; i++) {
                w.write("3,y\n");
            }
        }
        try (CsvSource source = csv(file, true)) {
            Batch b = CsvSourceTest.all(source);
            assertEquals(List.of(BsonDocument.parse("{a: 1, b: 'x'}")), b.documents());
            assertEquals(1, b.rejected().size(), b.rejected().toString());
            Rejected open = b.rejected().get(0);
            assertEquals(3L, open.number());
            assertTrue(open.reason().contains("longer than 16777216 characters") && open.reason().contains("quote left open"),
                    open.reason());
            assertTrue(record(open).startsWith("2,\"open\n3,y\n"), record(open).substring(0, 20));
            assertTrue(record(open).endsWith(" characters)") && record(open).length() < Rejected.MAX_TEXT + 100,
                    "only the start of the row is kept");
            assertEquals(2, source.position().documentsRead());
        }
        try (CsvSource source = csv(file, false)) {
            SourceException e = assertThrows(SourceException.class, () -> CsvSourceTest.all(source));
            assertTrue(e.getMessage().startsWith("line 3: the row is longer than 16777216 characters"), e.getMessage());
        }
    }

    @Test
    void aQuotedRowOver16MiBIsRejectedAndTheRowsAfterItKeepTheirLinesAlsoAfterAResume() throws Exception {
        Path file = dir.resolve("long.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("a,b\n1,x\n2,\"");
            for (int i = 0; i < FILL_LINES; i++) {
                w.write("\"\"y\n");
            }
            w.write("\"\r\n3,y\n\n4,z");
        }
        long three = 4L + FILL_LINES;
        try (CsvSource source = csv(file, true)) {
            Batch first = source.nextBatch(2);
            assertEquals(List.of(BsonDocument.parse("{a: 1, b: 'x'}")), first.documents());
            assertEquals(List.of(3L), first.rejected().stream().map(Rejected::number).toList());
            assertTrue(record(first.rejected().get(0)).startsWith("2,\"\"\"y\n\"\"y\n"), "the row's text as the file holds it");
            Position after = source.position();
            assertEquals(three - 1, after.resumeToken().asDocument().getNumber("line").longValue());
            Batch rest = CsvSourceTest.all(source);
            assertEquals(List.of(BsonDocument.parse("{a: 3, b: 'y'}"), BsonDocument.parse("{a: 4, b: 'z'}")), rest.documents());
            assertEquals(three, rest.origins().number(0));
            assertEquals(three + 2, rest.origins().number(1));

            try (CsvSource resumed = csv(file, after, true)) {
                Batch again = CsvSourceTest.all(resumed);
                assertEquals(rest.documents(), again.documents());
                assertEquals(three, again.origins().number(0));
                assertEquals(List.of(), again.rejected(), "the long row was rejected before the checkpoint, not again");
            }
        }
    }

    @Test
    void afterARowOver16MiBEndedByALoneCrTheNextRowKeepsItsFirstCharacter() throws Exception {
        Path file = dir.resolve("cr.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("h1,h2\r\"open");
            for (int i = 0; i < FILL_LINES; i++) {
                w.write("xxxx");
            }
            w.write("\"\rabc,def\r\"q\",jkl\r");
        }
        try (CsvSource source = csv(file, true)) {
            Batch all = CsvSourceTest.all(source);
            assertEquals(List.of(2L), all.rejected().stream().map(Rejected::number).toList());
            assertEquals(List.of(BsonDocument.parse("{h1: 'abc', h2: 'def'}"), BsonDocument.parse("{h1: 'q', h2: 'jkl'}")),
                    all.documents(), "the rows after it whole, a quote first included");
            assertEquals(3L, all.origins().number(0));
        }
    }

    @Test
    void aBrokenRowWhoseTailOpensAQuoteOver16MiBIsOneBadRecordAndTheRowsAfterItAreRead() throws Exception {
        Path file = dir.resolve("tail.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("a,b\n1,x\n2,\"ab\"c,\"");
            for (int i = 0; i < FILL_LINES; i++) {
                w.write("yyy\n");
            }
            w.write("\"\n3,z\n");
        }
        try (CsvSource source = csv(file, true)) {
            Batch all = CsvSourceTest.all(source);
            assertEquals(List.of(3L), all.rejected().stream().map(Rejected::number).toList(), "one bad record, line 3");
            assertTrue(record(all.rejected().get(0)).startsWith("2,\"ab\"c,\"yyy\n"), "its text as the file holds it");
            assertEquals(List.of(BsonDocument.parse("{a: 1, b: 'x'}"), BsonDocument.parse("{a: 3, b: 'z'}")),
                    all.documents());
        }
        try (CsvSource failing = csv(file, false)) {
            SourceException e = assertThrows(SourceException.class, () -> CsvSourceTest.all(failing));
            assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        }
    }
}
