package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.job.CsvOptions;
import dev.ferry.job.ParseGrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mongoimport's typed headers and parse grace on its own test file (mongoimport/testdata/test_type.csv) and on one that
 * has every type (docs/jobs.md, "Typed headers and parse grace").
 */
class CsvTypedHeadersTest {
    /** mongo-tools' mongoimport/testdata/test_type.csv. */
    private static final String TEST_TYPE = "zip.string(),number.double()\n12345,20.2\n12345-1234,40.4\n23455,BLAH\n";

    @TempDir
    Path dir;

    private record Read(List<BsonDocument> documents, List<Rejected> rejected, long graced, List<String> notices) {
    }

    private Read read(String text, List<String> fields, ParseGrace grace, boolean skip) throws IOException, SourceException {
        Path file = dir.resolve("typed.csv");
        Files.writeString(file, text);
        CsvOptions options = new CsvOptions(fields, Map.of(), false, false, true, grace);
        List<BsonDocument> documents = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        long graced = 0;
        try (CsvSource source = new CsvSource(file, false, false, options, Position.START,
                new BadRecords(skip, file.toString()))) {
            Batch batch;
            do {
                batch = source.nextBatch(2);
                documents.addAll(batch.documents());
                rejected.addAll(batch.rejected());
                graced += batch.graced().cells();
                notices.addAll(batch.graced().notices());
            } while (!batch.end());
        }
        return new Read(documents, rejected, graced, notices);
    }

    private static List<String> json(List<BsonDocument> documents) {
        return documents.stream().map(BsonDocument::toJson).toList();
    }

    @Test
    void stopMakesTheRowABadRecordNamingLineColumnAndCell() throws Exception {
        SourceException e = assertThrows(SourceException.class, () -> read(TEST_TYPE, List.of(), ParseGrace.STOP, false));
        assertTrue(e.getMessage().startsWith("line 4: column 2 (number): expected a double (a number like 1.5 or -2e3), "
                + "found \"BLAH\"; fix or remove that line"), e.getMessage());
        Read skipped = read(TEST_TYPE, List.of(), ParseGrace.STOP, true);
        assertEquals(2, skipped.documents().size());
        assertEquals(4, skipped.rejected().get(0).number());
    }

    @Test
    void skipRowSetsTheRowAsideEvenWhenBadRecordsFailTheJob() throws Exception {
        Read r = read(TEST_TYPE, List.of(), ParseGrace.SKIP_ROW, false);
        assertEquals(List.of("{\"zip\": \"12345\", \"number\": 20.2}", "{\"zip\": \"12345-1234\", \"number\": 40.4}"),
                json(r.documents()));
        assertEquals(1, r.rejected().size());
        Rejected row = r.rejected().get(0);
        assertEquals(4, row.number());
        assertEquals("column 2 (number): expected a double (a number like 1.5 or -2e3), found \"BLAH\" (parseGrace skipRow)",
                row.reason());
        assertEquals("23455,BLAH", row.record().asString().getValue());
        assertEquals(0, r.graced());
    }

    @Test
    void skipFieldLeavesTheFieldOutAndCountsIt() throws Exception {
        Read r = read(TEST_TYPE + "99999,oops\n", List.of(), ParseGrace.SKIP_FIELD, false);
        assertEquals(List.of("{\"zip\": \"12345\", \"number\": 20.2}", "{\"zip\": \"12345-1234\", \"number\": 40.4}",
                "{\"zip\": \"23455\"}", "{\"zip\": \"99999\"}"), json(r.documents()));
        assertEquals(2, r.graced());
        assertEquals(List.of("line 4, column 2 (number): expected a double (a number like 1.5 or -2e3), found \"BLAH\": left out "
                + "of the document (parseGrace skipField); further such cells of column 2 are counted in the result, not "
                + "logged"), r.notices(), "told once per column");
        assertEquals(List.of(), r.rejected());
    }

    @Test
    void autoCastStoresTheCellAsAnUntypedColumnWould() throws Exception {
        Read r = read(TEST_TYPE + "1,7\n", List.of(), ParseGrace.AUTO_CAST, false);
        assertEquals("{\"zip\": \"23455\", \"number\": \"BLAH\"}", r.documents().get(2).toJson());
        assertEquals("{\"zip\": \"1\", \"number\": 7.0}", r.documents().get(3).toJson(), "7 parses as a double");
        assertEquals(1, r.graced());
        assertTrue(r.notices().get(0).contains("stored as text (parseGrace autoCast)"), r.notices().toString());
    }

    @Test
    void everyTypeStoresWhatMongoimportStores() throws Exception {
        String header = "s.string(),i.int32(),l.int64(),d.double(),m.decimal(),b.boolean(),"
                + "day.date(2006-01-02),at.date_go(2006-01-02T15:04:05Z07:00),ms.date_ms(yyyy-MM-dd HH:mm:ss),"
                + "ora.date_oracle(DD-MON-YYYY),b64.binary(base64),b32.binary(base32),hex.binary(hex),a.auto(),"
                + "level1.level2.key1.string()\n";
        String row = " x ,-42,9007199254740993,1.5e3,12.50,TRUE,2014-11-23,2014-11-23T10:11:12+01:00,"
                + "2014-11-23 10:11:12,23-NOV-2014,aGk=,NBUQ====,6869,00501,deep\n";
        Read r = read(header + row, List.of(), ParseGrace.STOP, false);
        assertEquals("{\"s\": \" x \", \"i\": -42, \"l\": 9007199254740993, \"d\": 1500.0, "
                + "\"m\": {\"$numberDecimal\": \"12.50\"}, \"b\": true, \"day\": {\"$date\": \"2014-11-23T00:00:00Z\"}, "
                + "\"at\": {\"$date\": \"2014-11-23T09:11:12Z\"}, \"ms\": {\"$date\": \"2014-11-23T10:11:12Z\"}, "
                + "\"ora\": {\"$date\": \"2014-11-23T00:00:00Z\"}, "
                + "\"b64\": {\"$binary\": {\"base64\": \"aGk=\", \"subType\": \"00\"}}, "
                + "\"b32\": {\"$binary\": {\"base64\": \"aGk=\", \"subType\": \"00\"}}, "
                + "\"hex\": {\"$binary\": {\"base64\": \"aGk=\", \"subType\": \"00\"}}, \"a\": \"00501\", "
                + "\"level1\": {\"level2\": {\"key1\": \"deep\"}}}", r.documents().get(0).toJson());
        assertEquals(9007199254740993L, r.documents().get(0).getInt64("l").getValue(), "exactly, not via a double");
    }

    @Test
    void typedNamesInFieldsWorkWithoutAHeaderLine() throws Exception {
        Read r = read("7,x\n", List.of("n.int32()", "t.string()"), ParseGrace.STOP, false);
        assertEquals("{\"n\": 7, \"t\": \"x\"}", r.documents().get(0).toJson());
    }

    @Test
    void aBadSuffixInTheHeaderFailsTheJobNamingLineAndColumn() {
        SourceException e = assertThrows(SourceException.class,
                () -> read("zip.text(),n.int32()\n1,2\n", List.of(), ParseGrace.STOP, true));
        assertTrue(e.getMessage().startsWith("line 1: header: column 1: \"zip.text()\": unknown type text() (types: "),
                e.getMessage());
        e = assertThrows(SourceException.class, () -> read("zip,n.int32()\n1,2\n", List.of(), ParseGrace.STOP, true));
        assertTrue(e.getMessage().startsWith("line 1: header: column 1: \"zip\" has no type"), e.getMessage());
    }
}
