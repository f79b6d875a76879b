package dev.ferry.sync.source;

import dev.ferry.job.CellType;
import dev.ferry.job.CsvOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The columns of a csv/tsv file, from its header line or the job's {@code fields}: a dotted name
 * ({@code address.city}) builds a nested document. Builds one document per row.
 */
final class CsvColumns {
    private final List<String[]> paths;
    private final List<String> names;
    private final List<CellType> types;
    private final boolean ignoreBlanks;

    private CsvColumns(List<String> names, CsvOptions options) {
        this.names = List.copyOf(names);
        this.paths = new ArrayList<>(names.size());
        this.types = new ArrayList<>(names.size());
        for (String name : names) {
            paths.add(name.split("\\."));
            types.add(options.typeOf(name));
        }
        this.ignoreBlanks = options.ignoreBlanks();
    }

    /**
     * @param header what the header line or {@code fields} names
     * @throws IllegalArgumentException when two columns share a name, a name is empty or not a field
     *                                  name, or one column is inside another ({@code a} and {@code a.b})
     */
    static CsvColumns of(List<String> header, CsvOptions options) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            String where = "column " + (i + 1) + " (\"" + name + "\")";
            if (name.isEmpty()) {
                throw new IllegalArgumentException("column " + (i + 1) + " has no name");
            }
            if (name.startsWith("$") || name.indexOf('\u0000') >= 0 || name.startsWith(".") || name.endsWith(".")
                    || name.contains("..")) {
                throw new IllegalArgumentException(where + " is not a field name or a dotted path like address.city");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException(where + " is named twice");
            }
        }
        for (String a : header) {
            for (String b : header) {
                if (b.startsWith(a + ".")) {
                    throw new IllegalArgumentException("column \"" + b + "\" would be inside column \"" + a + "\"");
                }
            }
        }
        for (String typed : options.types().keySet()) {
            if (!seen.contains(typed)) {
                throw new IllegalArgumentException("types names column \"" + typed + "\", which the file does not have (columns: "
                        + String.join(", ", header) + ")");
            }
        }
        return new CsvColumns(header, options);
    }

    int size() {
        return names.size();
    }

    /**
     * @throws IllegalArgumentException naming the column when a cell does not fit its type or the row
     *                                  has more cells than there are columns
     */
    BsonDocument document(List<String> cells) {
        if (cells.size() > names.size()) {
            throw new IllegalArgumentException("has " + cells.size() + " cells but there are only " + names.size()
                    + " columns; quote cells that contain the delimiter");
        }
        BsonDocument document = new BsonDocument();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            if (cell.isEmpty() && ignoreBlanks) {
                continue;
            }
            CellType type = types.get(i);
            if (cell.isEmpty() && type != CellType.STRING && type != CellType.AUTO) {
                throw new IllegalArgumentException("column " + (i + 1) + " (" + names.get(i) + "): empty, but its type is "
                        + type.word() + " (set \"ignoreBlanks\": true to leave empty cells out)");
            }
            BsonValue value;
            try {
                value = CellConverter.convert(cell, type);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("column " + (i + 1) + " (" + names.get(i) + "): " + e.getMessage(), e);
            }
            put(document, paths.get(i), value);
        }
        return document;
    }

    private static void put(BsonDocument document, String[] path, BsonValue value) {
        BsonDocument at = document;
        for (int i = 0; i < path.length - 1; i++) {
            BsonValue next = at.get(path[i]);
            if (next == null) {
                BsonDocument created = new BsonDocument();
                at.put(path[i], created);
                at = created;
            } else {
                at = next.asDocument();
            }
        }
        at.put(path[path.length - 1], value);
    }
}
