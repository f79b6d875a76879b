package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.job.CellType;
import dev.ferry.job.CsvOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** csv and tsv files as a person loading them into MongoDB expects, and every kind of bad row named by line. */
class CsvSourceTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        if (name.endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
                out.write(content);
            }
        } else {
            Files.write(file, content);
        }
        return file;
    }

    private Path write(String name, String content) throws IOException {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    static Batch all(RecordSource source) throws SourceException {
        List<BsonDocument> documents = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        Batch batch;
        do {
            batch = source.nextBatch(3);
            documents.addAll(batch.documents());
            for (int i = 0; i < batch.documents().size(); i++) {
                lines.add(batch.origins().number(i));
            }
            rejected.addAll(batch.rejected());
        } while (!batch.end());
        return new Batch(documents, new Origins("line", lines.stream().mapToLong(Long::longValue).toArray()), rejected, true);
    }

    private static CsvSource csv(Path file, CsvOptions options, boolean skip) throws SourceException {
        return new CsvSource(file, file.toString().endsWith(".gz"), false, options, Position.START, new BadRecords(skip, file.toString()));
    }

    @Test
    void quotingQuotedNewlinesBomCrlfBlankLinesAndAutoTypes() throws Exception {
        String text = "\uFEFFname,age,note,zip,score\r\n"
                + "\"Smith, Ann\",42,\"said \"\"hi\"\"\",00501,1.5\r\n"
                + "\r\n"
                + "Bob,-7,\"two\r\nlines\",12345,x\r\n"
                + "Eve,9999999999,,0,2e3";
        try (CsvSource source = csv(write("p.csv", text), CsvOptions.DEFAULT, false)) {
            Batch b = all(source);
            assertEquals(List.of(
                    BsonDocument.parse("{name: 'Smith, Ann', age: 42, note: 'said \"hi\"', zip: '00501', score: 1.5}"),
                    BsonDocument.parse("{name: 'Bob', age: -7, note: 'two\\r\\nlines', zip: 12345, score: 'x'}"),
                    BsonDocument.parse("{name: 'Eve', age: {$numberLong: '9999999999'}, note: '', zip: 0, score: 2000.0}")),
                    b.documents());
            assertEquals(2, b.origins().number(0));
            assertEquals(4, b.origins().number(1), "blank line 3 skipped, row 2 starts on line 4");
            assertEquals(6, b.origins().number(2), "the quoted newline counts");
            assertEquals(new Position(3, BsonDocument.parse("{records: {$numberLong: '3'}, line: {$numberLong: '6'}}")),
                    source.position());
        }
    }

    @Test
    void typedColumnsFieldsWithoutHeaderNestedNamesAndIgnoreBlanks() throws Exception {
        CsvOptions options = new CsvOptions(List.of("_id", "address.city", "address.zip", "born", "vip", "n", "price"),
                Map.of("_id", CellType.OID, "address.zip", CellType.STRING, "born", CellType.DATE, "vip", CellType.BOOL,
                        "n", CellType.LONG, "price", CellType.DECIMAL), true);
        String text = "5f0c8e0e8e0e8e0e8e0e8e0e,Berlin,01067,2026-11-26,true,7,12.50\n"
                + "5f0c8e0e8e0e8e0e8e0e8e0f,,,2026-11-26T10:00:00Z,0,,\n";
        try (CsvSource source = csv(write("f.csv", text), options, false)) {
            assertEquals(List.of(
                    BsonDocument.parse("{_id: {$oid: '5f0c8e0e8e0e8e0e8e0e8e0e'}, address: {city: 'Berlin', zip: '01067'}, "
                            + "born: {$date: '2026-11-26T00:00:00Z'}, vip: true, n: {$numberLong: '7'}, "
                            + "price: {$numberDecimal: '12.50'}}"),
                    BsonDocument.parse("{_id: {$oid: '5f0c8e0e8e0e8e0e8e0e8e0f'}, born: {$date: '2026-11-26T10:00:00Z'}, "
                            + "vip: false}")),
                    all(source).documents());
        }
    }

    /** mongoimport's {@code --useArrayIndexFields}: numbered parts of dotted names make arrays. */
    @Test
    void arrayIndexFieldsMakeArraysAndElsewhereStayFieldNames() throws Exception {
        String text = "name,tags.0,tags.1,items.0.sku,items.0.qty,items.1.sku\nAnn,a,b,x1,2,x2\nBob,c,,y1,,\n";
        CsvOptions arrays = new CsvOptions(List.of(), Map.of(), true, true);
        try (CsvSource source = csv(write("arrays.csv", text), arrays, false)) {
            assertEquals(List.of(
                    BsonDocument.parse("{name: 'Ann', tags: ['a', 'b'], items: [{sku: 'x1', qty: 2}, {sku: 'x2'}]}"),
                    BsonDocument.parse("{name: 'Bob', tags: ['c', null], items: [{sku: 'y1'}]}")),
                    all(source).documents(), "a blank element left out keeps the later ones in their places");
        }
        try (CsvSource source = csv(write("plain.csv", text), new CsvOptions(List.of(), Map.of(), false), false)) {
            assertEquals(BsonDocument.parse("{name: 'Ann', tags: {'0': 'a', '1': 'b'}, items: {'0': {sku: 'x1', qty: 2},"
                    + " '1': {sku: 'x2'}}}"), all(source).documents().get(0), "without the option, as before");
        }
        for (String header : List.of("tags.1,tags.0", "tags.0,tags.2", "0.a", "a.0,a.b")) {
            Path file = write("bad-" + header.hashCode() + ".csv", header + "\n1,2\n");
            SourceException e = assertThrows(SourceException.class, () -> {
                try (CsvSource source = csv(file, arrays, false)) {
                    all(source);
                }
            }, header);
            assertTrue(e.getMessage().contains("array") || e.getMessage().contains("element"), e.getMessage());
        }
    }

    @Test
    void aCellOfTheWrongTypeFailsNamingLineAndColumn() throws Exception {
        CsvOptions options = new CsvOptions(List.of(), Map.of("age", CellType.INT), false);
        Path file = write("bad.csv", "name,age\nAnn,42\nBob,forty\n");
        try (CsvSource source = csv(file, options, false)) {
            SourceException e = assertThrows(SourceException.class, () -> all(source));
            assertTrue(e.getMessage().startsWith("line 3: column 2 (age): expected an int"), e.getMessage());
            assertTrue(e.getMessage().contains("\"forty\""), e.getMessage());
        }
    }

    @Test
    void withSkipEveryBadRowIsRejectedByLineAndTheGoodOnesStay() throws Exception {
        CsvOptions options = new CsvOptions(List.of(), Map.of("age", CellType.INT), false);
        byte[] latin1 = "Jos\u00e9,5\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] head = ("name,age\nAnn,42\nBob,forty\nCid,1,extra\n\"Dan\"x,3\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = "Eve,7\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + latin1.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(latin1, 0, all, head.length, latin1.length);
        System.arraycopy(tail, 0, all, head.length + latin1.length, tail.length);
        try (CsvSource source = csv(write("mixed.csv", all), options, true)) {
            Batch b = all(source);
            assertEquals(List.of(BsonDocument.parse("{name: 'Ann', age: 42}"), BsonDocument.parse("{name: 'Eve', age: 7}")),
                    b.documents());
            assertEquals(List.of(3L, 4L, 5L, 6L), b.rejected().stream().map(Rejected::number).toList());
            assertTrue(b.rejected().get(0).reason().contains("column 2 (age)"), b.rejected().toString());
            assertTrue(b.rejected().get(1).reason().contains("3 cells"), b.rejected().toString());
            assertTrue(b.rejected().get(2).reason().startsWith("not valid csv"), b.rejected().toString());
            assertTrue(b.rejected().get(3).reason().contains("UTF-8"), b.rejected().toString());
            assertEquals("Bob,forty", b.rejected().get(0).record().asString().getValue().strip());
            assertEquals(7, b.origins().number(1));
            assertEquals(6, source.position().documentsRead(), "rejected rows count as read");
        }
    }

    /** Old Mac files end lines in a lone {@code \r}, which Commons CSV reads as a line end like {@code \n}. */
    @Test
    void invalidUtf8InAFileWithCrOnlyLineEndsIsBlamedOnItsOwnRow() throws Exception {
        for (boolean tsv : new boolean[] {false, true}) {
            String d = tsv ? "\t" : ",";
            byte[] latin1 = ("Jos\u00e9" + d + "3\r").getBytes(StandardCharsets.ISO_8859_1);
            byte[] head = ("name" + d + "age\rAnn" + d + "1\rBob" + d + "2\r").getBytes(StandardCharsets.UTF_8);
            byte[] tail = ("Eve" + d + "5\r").getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[head.length + latin1.length + tail.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(latin1, 0, all, head.length, latin1.length);
            System.arraycopy(tail, 0, all, head.length + latin1.length, tail.length);
            Path file = write(tsv ? "mac.tsv" : "mac.csv", all);

            try (CsvSource source = new CsvSource(file, false, tsv, CsvOptions.DEFAULT, Position.START, BadRecords.failing(file.toString()))) {
                SourceException e = assertThrows(SourceException.class, () -> all(source));
                assertTrue(e.getMessage().startsWith("line 4: not valid UTF-8"), e.getMessage());
            }
            try (CsvSource source = new CsvSource(file, false, tsv, CsvOptions.DEFAULT, Position.START, new BadRecords(true, file.toString()))) {
                Batch b = all(source);
                assertEquals(List.of(4L), b.rejected().stream().map(Rejected::number).toList(), b.rejected().toString());
                assertEquals(List.of(BsonDocument.parse("{name: 'Ann', age: 1}"), BsonDocument.parse("{name: 'Bob', age: 2}"),
                        BsonDocument.parse("{name: 'Eve', age: 5}")), b.documents());
                assertEquals(5, b.origins().number(2));
            }
        }
    }

    @Test
    void tsvHasNoQuotingAndGzipIsReadAsItsContent() throws Exception {
        Path file = write("t.tsv.gz", "a\tb\n\"x\"\t1\n");
        try (CsvSource source = new CsvSource(file, true, true, CsvOptions.DEFAULT, Position.START, BadRecords.failing("t"))) {
            assertEquals(List.of(BsonDocument.parse("{a: '\"x\"', b: 1}")), all(source).documents());
        }
    }

    @Test
    void anEmptyFileHasNoDocumentsAndABadHeaderIsNamed() throws Exception {
        try (CsvSource source = csv(write("empty.csv", ""), CsvOptions.DEFAULT, false)) {
            Batch b = source.nextBatch(5);
            assertTrue(b.end() && b.documents().isEmpty(), b.toString());
        }
        SourceException e = assertThrows(SourceException.class, () -> csv(write("h.csv", "a,a\n1,2\n"), CsvOptions.DEFAULT, false));
        assertTrue(e.getMessage().startsWith("line 1: header: column 2 (\"a\") is named twice"), e.getMessage());
    }

    @Test
    void resumesAfterTheRecordsOfItsCheckpointAlsoFromGzip() throws Exception {
        StringBuilder text = new StringBuilder("i,s\n");
        for (int i = 0; i < 20; i++) {
            text.append(i).append(",\"v\n").append(i).append("\"\n");
        }
        for (String name : List.of("r.csv", "r.csv.gz")) {
            Path file = write(name, text.toString());
            Position after;
            try (CsvSource first = csv(file, CsvOptions.DEFAULT, false)) {
                first.nextBatch(7);
                after = first.position();
            }
            try (CsvSource resumed = new CsvSource(file, name.endsWith(".gz"), false, CsvOptions.DEFAULT, after,
                    BadRecords.failing(name))) {
                Batch rest = all(resumed);
                assertEquals(13, rest.documents().size());
                assertEquals(BsonDocument.parse("{i: 7, s: 'v\\n7'}"), rest.documents().get(0));
                assertEquals(16, rest.origins().number(0));
            }
            Position wrong = new Position(7, BsonDocument.parse("{records: 7, line: 3}"));
            SourceException e = assertThrows(SourceException.class, () -> new CsvSource(file, name.endsWith(".gz"), false,
                    CsvOptions.DEFAULT, wrong, BadRecords.failing(name)));
            assertTrue(e.getMessage().contains("changed since the checkpoint"), e.getMessage());
        }
    }
}
