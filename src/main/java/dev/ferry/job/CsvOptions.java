package dev.ferry.job;

import java.util.List;
import java.util.Map;

/**
 * How a csv or tsv file becomes documents.
 *
 * @param fields       the column names when the file has no header line; empty: the first line is the header
 * @param types        per column name; a column not named here is {@link CellType#AUTO}
 * @param ignoreBlanks leave empty cells out instead of writing empty strings
 * @param useArrayIndexFields dotted name parts that are numbers make arrays ({@code tags.0}, {@code tags.1})
 * @param columnsHaveTypes header cells (or {@code fields}) are mongoimport's typed names, {@code name.type(arg)}
 * @param parseGrace what a cell that does not parse as its column's type does
 */
public record CsvOptions(List<String> fields, Map<String, CellType> types, boolean ignoreBlanks,
                         boolean useArrayIndexFields, boolean columnsHaveTypes, ParseGrace parseGrace) {

    public static final CsvOptions DEFAULT = new CsvOptions(List.of(), Map.of(), false);

    public CsvOptions {
        fields = List.copyOf(fields);
        types = Map.copyOf(types);
        java.util.Objects.requireNonNull(parseGrace, "parseGrace");
    }

    /** Untyped names; a cell that does not parse as its {@code types} entry is a bad record. */
    public CsvOptions(List<String> fields, Map<String, CellType> types, boolean ignoreBlanks,
                      boolean useArrayIndexFields) {
        this(fields, types, ignoreBlanks, useArrayIndexFields, false, ParseGrace.STOP);
    }

    /** Numbers in dotted names stay field names. */
    public CsvOptions(List<String> fields, Map<String, CellType> types, boolean ignoreBlanks) {
        this(fields, types, ignoreBlanks, false);
    }

    public boolean hasHeader() {
        return fields.isEmpty();
    }

    public CellType typeOf(String column) {
        return types.getOrDefault(column, CellType.AUTO);
    }
}
