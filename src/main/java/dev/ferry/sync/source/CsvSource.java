package dev.ferry.sync.source;

import dev.ferry.job.CsvOptions;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * A csv (RFC 4180: quoted cells, doubled quotes, line breaks inside quotes) or tsv (tab-separated,
 * no quoting, as mongoimport reads it) file, through Apache Commons CSV. The first line names the
 * columns unless the job gives {@code fields}; blank lines are skipped; cells are typed by
 * {@link CsvColumns}. A name ending in {@code .gz} is decompressed while it is read. The text reaches
 * the parser through {@link CsvRows}, which keeps each row's text for the rejected-records file and
 * ends a row over 16 Mi characters (an unterminated quote) without holding it; the parser, stopped
 * inside that row, is then replaced by a new one from the next row.
 *
 * <p>Resume: a record may span lines and the parser reads ahead, so no byte offset marks a record
 * boundary; the token {@code {records, line}} is checked after skipping {@code records} records
 * (rejected ones included) from the start, which costs one parse of the part already done.
 */
public final class CsvSource implements RecordSource {
    private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get();
    private static final CSVFormat TSV = CSVFormat.DEFAULT.builder().setDelimiter('\t').setQuote(null).setEscape(null)
            .setIgnoreEmptyLines(false).setRecordSeparator("\n").get();

    private final Path path;
    private final CSVFormat format;
    private final BadRecords bad;
    private final TextInput input;
    private final Utf8Watch watch;
    private final CsvRows rows;
    private CSVParser parser;
    private Iterator<CSVRecord> records;
    /** Lines before the current parser's first: one starts after each row that was too long. */
    private long lineBase;
    private final CsvColumns columns;
    /** Line breaks the parser had consumed after the last record: the next record starts on the line after. */
    private long linesDone;
    private long documentsRead;
    private boolean end;
    private Position position;

    /** One row of cells, or a row the parser could not delimit. */
    private sealed interface Row {
        long line();
    }

    private record Cells(long line, long lastLine, List<String> values) implements Row {
    }

    /** @param text the row as the file holds it, or null when its start was not seen */
    private record Broken(long line, String reason, String text) implements Row {
    }

    private record TooLong(long line, String text) implements Row {
    }

    public CsvSource(Path path, boolean gzipped, boolean tsv, CsvOptions options, Position start, BadRecords bad)
            throws SourceException {
        this.path = Objects.requireNonNull(path, "path");
        this.format = tsv ? TSV : CSV;
        this.bad = Objects.requireNonNull(bad, "bad");
        this.input = TextInput.open(path, gzipped);
        this.watch = Utf8Watch.linesAsCsv(input.stream());
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        this.rows = new CsvRows(new InputStreamReader(watch, decoder), !tsv, DocumentSize.MAX_BYTES);
        try {
            newParser();
        } catch (SourceException e) {
            TextInput.closeQuietly(rows);
            throw e;
        }
        try {
            this.columns = columns(options);
            skip(start);
        } catch (SourceException e) {
            close();
            throw e;
        }
        this.position = start;
    }

    /** A parser from where {@link #rows} stands: the start of the file, or of the row after one too long. */
    private void newParser() throws SourceException {
        try {
            parser = CSVParser.builder().setReader(rows).setFormat(format).get();
        } catch (IOException | UncheckedIOException e) {
            throw new SourceException("cannot read " + path + ": " + e, e);
        }
        records = parser.iterator();
    }

    private CsvColumns columns(CsvOptions options) throws SourceException {
        if (!options.hasHeader()) {
            try {
                return CsvColumns.of(options.fields(), options);
            } catch (IllegalArgumentException e) {
                throw new SourceException("fields: " + e.getMessage() + "; fix the job's \"fields\"", e);
            }
        }
        Optional<Row> header = nextRow();
        if (header.isEmpty()) {
            end = true;
            return CsvColumns.of(List.of(), CsvOptions.DEFAULT);
        }
        if (header.get() instanceof Broken broken) {
            throw new SourceException("line " + broken.line() + ": the header line cannot be read: " + broken.reason()
                    + "; fix " + path);
        }
        if (header.get() instanceof TooLong tooLong) {
            throw new SourceException("line " + tooLong.line() + ": the header line cannot be read: " + tooLong() + "; fix " + path);
        }
        Cells cells = (Cells) header.get();
        if (watch.malformedBetween(cells.line(), cells.lastLine())) {
            throw new SourceException("line " + cells.line() + ": the header line is not valid UTF-8; save " + path + " as UTF-8");
        }
        try {
            return CsvColumns.of(cells.values(), options);
        } catch (IllegalArgumentException e) {
            throw new SourceException("line " + cells.line() + ": header: " + e.getMessage() + "; fix the header of " + path
                    + " or give the columns in \"fields\"", e);
        }
    }

    private void skip(Position start) throws SourceException {
        long skip = start.documentsRead();
        for (long i = 0; i < skip; i++) {
            if (nextRow().isEmpty()) {
                throw changed("it has only " + i + " records, the checkpoint says " + skip + " were read");
            }
        }
        documentsRead = skip;
        BsonValue token = start.resumeToken();
        if (skip > 0 && (token == null || !token.isDocument() || !token.asDocument().isNumber("line")
                || token.asDocument().getNumber("line").longValue() != linesDone)) {
            throw changed("record " + skip + " does not end where the checkpoint says: " + token);
        }
    }

    private SourceException changed(String how) {
        return new SourceException(path + " changed since the checkpoint (" + how
                + "); restore the file or delete the job's checkpoint to start over");
    }

    /** The next row that is not a blank line; empty at the end of the file. */
    private Optional<Row> nextRow() throws SourceException {
        while (true) {
            long line = linesDone + 1;
            CSVRecord record;
            rows.startRow(line);
            try {
                if (!records.hasNext()) {
                    return Optional.empty();
                }
                record = records.next();
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof CsvRows.RowTooLong tooLong) {
                    // the parser stopped inside the row: it cannot go on, a new one starts after the row
                    lineBase = tooLong.linesAfter;
                    linesDone = tooLong.linesAfter;
                    newParser();
                    return Optional.of(new TooLong(tooLong.line, tooLong.text));
                }
                if (!isParseError(e)) {
                    throw new SourceException("cannot read " + path + " at line " + line + ": " + e.getCause(), e);
                }
                String cut = swallowRestOfLine();
                return Optional.of(new Broken(line, String.valueOf(e.getCause().getMessage()),
                        cut != null ? cut : rows.text(line)));
            }
            long after = lineBase + parser.getCurrentLineNumber();
            linesDone = after;
            watch.forgetBefore(line);
            if (record.size() == 1 && record.get(0).isEmpty()) {
                continue;
            }
            Integer bare = rows.bareQuote(line);
            if (bare != null) {
                // RFC 4180 (and mongoimport) refuse it: usually an export whose quoting went wrong
                return Optional.of(new Broken(line, "a bare \" in the unquoted cell " + bare + " (RFC 4180 allows"
                        + " quotes only in a quoted cell: quote the cell and double the quotes in it)", rows.text(line)));
            }
            return Optional.of(new Cells(line, Math.max(line, after), Arrays.asList(record.values())));
        }
    }

    /** Commons CSV reports a quoting error as a {@code CSVException}; other I/O errors are the file's. */
    private static boolean isParseError(UncheckedIOException e) {
        return e.getCause() instanceof CSVException;
    }

    /**
     * After a quoting error the parser stands inside the broken line: what remains of it, up to its
     * line break, belongs to the broken row. Commons CSV reports a record it could read whole as
     * ending on its last line break, so the first tail read without an error ends the broken line.
     *
     * @return the broken row's text when its tail ran over the limit (it is then no longer kept), else null
     */
    private String swallowRestOfLine() throws SourceException {
        while (true) {
            try {
                if (records.hasNext()) {
                    records.next();
                }
                break;
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof CsvRows.RowTooLong tooLong) {
                    // the tail opened a quote that ran over the limit: the broken row ends where that
                    // row ends, and a new parser goes on after it (one bad record, not two)
                    lineBase = tooLong.linesAfter;
                    linesDone = tooLong.linesAfter;
                    newParser();
                    return tooLong.text;
                }
                if (!isParseError(e)) {
                    throw new SourceException("cannot read " + path + ": " + e.getCause(), e);
                }
            }
        }
        linesDone = lineBase + parser.getCurrentLineNumber();
        return null;
    }

    @Override
    public Batch nextBatch(int max) throws SourceException {
        Sources.requirePositive(max);
        List<BsonDocument> chunk = new ArrayList<>(Math.min(max, 4096));
        List<Long> lines = new ArrayList<>(Math.min(max, 4096));
        int read = 0;
        while (read < max && !end) {
            Optional<Row> row = nextRow();
            if (row.isEmpty()) {
                end = true;
                break;
            }
            read++;
            document(row.get()).ifPresent(d -> {
                chunk.add(d);
                lines.add(row.get().line());
            });
        }
        documentsRead += read;
        position = new Position(documentsRead, new BsonDocument("records", new BsonInt64(documentsRead))
                .append("line", new BsonInt64(linesDone)));
        long[] origins = lines.stream().mapToLong(Long::longValue).toArray();
        return new Batch(chunk, new Origins("line", origins), bad.drain(), end, columns.drainGraced());
    }

    private Optional<BsonDocument> document(Row row) throws SourceException {
        if (row instanceof Broken broken) {
            bad.add("line", broken.line(), "not valid " + (format == TSV ? "tsv" : "csv") + ": " + broken.reason(),
                    record(broken.text()));
            return Optional.empty();
        }
        if (row instanceof TooLong tooLong) {
            bad.add("line", tooLong.line(), tooLong(), record(tooLong.text()));
            return Optional.empty();
        }
        Cells cells = (Cells) row;
        if (watch.malformedBetween(cells.line(), cells.lastLine())) {
            bad.add("line", cells.line(), "not valid UTF-8 (save the file as UTF-8)", text(cells));
            return Optional.empty();
        }
        BsonDocument document;
        try {
            document = columns.document(cells.values(), cells.line());
        } catch (CsvColumns.SkipRow e) {
            bad.setAside("line", cells.line(), e.getMessage(), text(cells));
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            bad.add("line", cells.line(), e.getMessage(), text(cells));
            return Optional.empty();
        }
        long length = 0;
        for (String v : cells.values()) {
            length += v.length();
        }
        Optional<String> tooLarge = DocumentSize.tooLarge(document, length);
        if (tooLarge.isPresent()) {
            bad.add("line", cells.line(), tooLarge.get(), text(cells));
            return Optional.empty();
        }
        return Optional.of(document);
    }

    /** The row as the file holds it, for the rejected-records file. */
    private BsonValue text(Cells cells) {
        String text = rows.text(cells.line());
        return text != null ? new BsonString(text) : Rejected.cut(format.format(cells.values().toArray()));
    }

    private static BsonValue record(String text) {
        return text == null ? BsonNull.VALUE : new BsonString(text);
    }

    private String tooLong() {
        return "the row is longer than " + DocumentSize.MAX_BYTES + " characters, more than MongoDB's limit for a document"
                + " (16 MiB)" + (format == CSV ? "; a quote left open makes the rest of the file one row" : "");
    }

    @Override
    public Position position() {
        return position;
    }

    @Override
    public void close() {
        TextInput.closeQuietly(parser);
        TextInput.closeQuietly(rows);
    }

    /** The file's bytes (compressed ones for gzip) read so far against its size. */
    @Override
    public double progress() {
        return end ? 1.0 : input.progress();
    }
}
