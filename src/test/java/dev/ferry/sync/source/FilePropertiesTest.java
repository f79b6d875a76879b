package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.job.CsvOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;

/**
 * Generated files parse back to the documents they were made from, whatever the quoting, line ends,
 * unicode and embedded line breaks; and random byte damage to a valid file never hangs or crashes a
 * source, and every record is either a document or a rejected record.
 */
class FilePropertiesTest {

    private static Path temp(byte[] bytes, String suffix) throws IOException {
        Path file = Files.createTempFile("ferry-prop", suffix);
        Files.write(file, bytes);
        file.toFile().deleteOnExit();
        return file;
    }

    @Provide
    Arbitrary<String> cells() {
        return Arbitraries.strings().withChars(",\"\r\n \t").withCharRange('a', 'z').withCharRange('\u00e0', '\u00ff')
                .withCharRange('\u4e00', '\u4e20').withChars("\u20ac\u00df\u2028").ofMaxLength(12);
    }

    @Provide
    Arbitrary<List<List<String>>> rows() {
        return cells().list().ofSize(3).list().ofMinSize(0).ofMaxSize(30);
    }

    @Property(tries = 60)
    void csvParsesBackToTheRowsItWasMadeFrom(@ForAll("rows") List<List<String>> rows, @ForAll boolean crlf,
                                             @ForAll boolean quoteAll, @ForAll boolean bom) throws Exception {
        String eol = crlf ? "\r\n" : "\n";
        StringBuilder text = new StringBuilder(bom ? "\uFEFF" : "").append("n,a,b,c").append(eol);
        List<BsonDocument> expected = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            List<String> row = rows.get(i);
            text.append(i);
            BsonDocument d = new BsonDocument("n", new BsonInt32(i));
            String[] names = {"a", "b", "c"};
            for (int c = 0; c < 3; c++) {
                String cell = row.get(c);
                boolean quote = quoteAll || cell.matches("(?s).*[,\"\r\n].*");
                text.append(',').append(quote ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell);
                d.put(names[c], new BsonString(cell));
            }
            text.append(eol);
            expected.add(d);
        }
        CsvOptions allStrings = new CsvOptions(List.of(), java.util.Map.of("a", dev.ferry.job.CellType.STRING,
                "b", dev.ferry.job.CellType.STRING, "c", dev.ferry.job.CellType.STRING), false);
        Path file = temp(text.toString().getBytes(StandardCharsets.UTF_8), ".csv");
        try (CsvSource source = new CsvSource(file, false, false, allStrings, Position.START, BadRecords.failing("p"))) {
            assertEquals(expected, CsvSourceTest.all(source).documents());
        }
    }

    @Property(tries = 60)
    void ndjsonParsesBackToTheDocumentsItWasMadeFrom(@ForAll("rows") List<List<String>> rows, @ForAll boolean crlf,
                                                     @ForAll boolean bom, @ForAll boolean blankLines) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (bom) {
            out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        }
        List<BsonDocument> expected = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            BsonDocument d = new BsonDocument("_id", new BsonInt32(i)).append("s", new BsonString(String.join("|", rows.get(i))))
                    .append("nested", new BsonDocument("t", new BsonString(rows.get(i).get(0))));
            expected.add(d);
            out.writeBytes((d.toJson() + (crlf ? "\r\n" : "\n") + (blankLines && i % 3 == 0 ? "  \n" : ""))
                    .getBytes(StandardCharsets.UTF_8));
        }
        Path file = temp(out.toByteArray(), ".ndjson");
        try (NdjsonSource source = new NdjsonSource(file, Position.START)) {
            List<BsonDocument> read = new ArrayList<>();
            List<BsonDocument> chunk;
            while (!(chunk = source.nextChunk(7)).isEmpty()) {
                read.addAll(chunk);
            }
            assertEquals(expected, read);
        }
    }

    @Property(tries = 80)
    void damagedNdjsonNeverHangsOrCrashesAndAccountsForEveryRecord(@ForAll @IntRange(min = 1, max = 12) int damage,
                                                                    @ForAll long seed) throws Exception {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            text.append("{\"_id\": ").append(i).append(", \"name\": \"n\u00e9").append(i).append("\", \"v\": [1, 2.5, true]}\n");
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        for (int k = 0; k < damage; k++) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        String[] damagedLines = new String(bytes, StandardCharsets.ISO_8859_1).split("\n", -1);
        Set<String> originals = new HashSet<>(Arrays.asList(new String(text.toString().getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1).split("\n")));
        long intact = Arrays.stream(damagedLines).filter(originals::contains).count();
        long records = Arrays.stream(damagedLines).filter(l -> !l.replace("\r", "").isBlank()).count();

        Path file = temp(bytes, ".ndjson");
        try (NdjsonSource source = new NdjsonSource(file, false, Position.START, new BadRecords(true, "damaged"))) {
            Batch all = CsvSourceTest.all(source);
            assertEquals(records, all.documents().size() + all.rejected().size(), "every record once");
            assertTrue(all.documents().size() >= intact, all.documents().size() + " documents, " + intact + " intact lines");
            assertEquals(records, source.position().documentsRead());
        }
    }

    @Property(tries = 80)
    void damagedCsvNeverHangsOrCrashes(@ForAll @IntRange(min = 1, max = 12) int damage, @ForAll long seed) throws Exception {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder("id,name,note\n");
        for (int i = 0; i < 40; i++) {
            text.append(i).append(",n\u00e9").append(i).append(",\"a, \"\"b\"\"\nc\"\n");
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        for (int k = 0; k < damage; k++) {
            bytes[13 + random.nextInt(bytes.length - 13)] = (byte) random.nextInt(256);
        }
        Path file = temp(bytes, ".csv");
        try (CsvSource source = new CsvSource(file, false, false, CsvOptions.DEFAULT, Position.START, new BadRecords(true, "d"))) {
            Batch all = CsvSourceTest.all(source);
            assertEquals(source.position().documentsRead(), all.documents().size() + all.rejected().size());
            assertTrue(all.records() > 0 || bytes.length > 0);
        }
    }
}
