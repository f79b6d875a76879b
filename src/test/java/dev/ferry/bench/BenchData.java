package dev.ferry.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonDocument;

/** The documents every benchmark writes: 8 fields, about 180 bytes of JSON each. */
final class BenchData {
    private BenchData() {
    }

    static String line(long i) {
        return "{\"_id\": " + i + ", \"name\": \"name-" + i + "\", \"email\": \"user" + i + "@example.com\", \"age\": "
                + (i % 90) + ", \"city\": \"city-" + (i % 1000) + "\", \"score\": " + (i * 0.5)
                + ", \"active\": " + (i % 2 == 0) + ", \"tags\": [\"t" + (i % 7) + "\", \"t" + (i % 11) + "\"]}";
    }

    /** Writes {@code documents} lines to {@code file} unless it already holds them (kept between runs). */
    static Path ndjson(Path file, long documents) {
        try {
            Path marker = file.resolveSibling(file.getFileName() + ".complete");
            if (Files.exists(file) && Files.exists(marker)) {
                return file;
            }
            Files.createDirectories(file.getParent());
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (long i = 0; i < documents; i++) {
                    out.write(line(i));
                    out.write('\n');
                }
            }
            Files.writeString(marker, Long.toString(documents));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The header and column types of {@link #csv}: every column typed explicitly. */
    static final String CSV_HEADER = "_id,name,email,age,city,score,active,joined";
    static final String CSV_TYPES = "{\"_id\": \"long\", \"name\": \"string\", \"email\": \"string\", \"age\": \"int\", "
            + "\"city\": \"string\", \"score\": \"double\", \"active\": \"bool\", \"joined\": \"date\"}";

    /** Row {@code i} of {@link #csv}: the fields of {@link #line} but the tags, a quoted city with a comma, and a date. */
    static String csvRow(long i) {
        return i + ",name-" + i + ",user" + i + "@example.com," + (i % 90) + ",\"city, " + (i % 1000) + "\"," + (i * 0.5) + ","
                + (i % 2 == 0) + "," + java.time.Instant.ofEpochSecond(1_767_225_600L + i * 60) + "\n";
    }

    /** A CSV file with a header line, written unless it already holds {@code documents} rows (kept between runs). */
    static Path csv(Path file, long documents) {
        try {
            Path marker = file.resolveSibling(file.getFileName() + ".complete");
            if (Files.exists(file) && Files.exists(marker)) {
                return file;
            }
            Files.createDirectories(file.getParent());
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                out.write(CSV_HEADER);
                out.write('\n');
                for (long i = 0; i < documents; i++) {
                    out.write(csvRow(i));
                }
            }
            Files.writeString(marker, Long.toString(documents));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<BsonDocument> documents(int from, int count) {
        List<BsonDocument> docs = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            docs.add(BsonDocument.parse(line(i)));
        }
        return docs;
    }
}
