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
 * ({@code address.city}) builds a nested document; with {@code useArrayIndexFields}, a part that is a
 * number builds an array ({@code tags.0}, {@code tags.1}; docs/jobs.md, "Files as mongoimport reads
 * them"). Builds one document per row.
 */
final class CsvColumns {
    private final List<String[]> paths;
    private final List<String> names;
    private final List<CellType> types;
    private final boolean ignoreBlanks;
    private final boolean arrays;

    private CsvColumns(List<String> names, CsvOptions options) {
        this.names = List.copyOf(names);
        this.paths = new ArrayList<>(names.size());
        this.types = new ArrayList<>(names.size());
        for (String name : names) {
            paths.add(name.split("\\."));
            types.add(options.typeOf(name));
        }
        this.ignoreBlanks = options.ignoreBlanks();
        this.arrays = options.useArrayIndexFields();
    }

    /** A part of a dotted name that is an array index: digits, no leading zero. */
    private static boolean isIndex(String part) {
        return !part.isEmpty() && part.length() <= 9 && part.chars().allMatch(Character::isDigit)
                && (part.equals("0") || part.charAt(0) != '0');
    }

    /**
     * With array indexes, each array's indexes must first appear in order from 0, so that the header
     * says where every element goes ({@code tags.1} before {@code tags.0}, or {@code tags.2} without
     * {@code tags.1}, is refused), and a name cannot start with one.
     */
    private static void checkIndexes(List<String> header) {
        java.util.Map<String, Integer> next = new java.util.HashMap<>();
        java.util.Map<String, Boolean> isArray = new java.util.HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String[] parts = header.get(i).split("\\.");
            String where = "column " + (i + 1) + " (\"" + header.get(i) + "\")";
            if (isIndex(parts[0])) {
                throw new IllegalArgumentException(where + " starts with an array index; a document is no array");
            }
            StringBuilder prefix = new StringBuilder(parts[0]);
            for (int p = 1; p < parts.length; p++) {
                Boolean was = isArray.putIfAbsent(prefix.toString(), isIndex(parts[p]));
                if (was != null && was != isIndex(parts[p])) {
                    throw new IllegalArgumentException(where + ": " + prefix + " is an array in one column and a document "
                            + "in another");
                }
                if (isIndex(parts[p])) {
                    int index = Integer.parseInt(parts[p]);
                    int expected = next.getOrDefault(prefix.toString(), 0);
                    if (index > expected) {
                        throw new IllegalArgumentException(where + ": element " + index + " of " + prefix + " comes before "
                                + "element " + expected + "; with useArrayIndexFields an array's columns start at 0 and "
                                + "go up by one");
                    }
                    if (index == expected) {
                        next.put(prefix.toString(), expected + 1);
                    }
                }
                prefix.append('.').append(parts[p]);
            }
        }
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
        if (options.useArrayIndexFields()) {
            checkIndexes(header);
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
                if (arrays && isIndex(paths.get(i)[paths.get(i).length - 1])) {
                    put(document, paths.get(i), org.bson.BsonNull.VALUE); // later elements keep their places
                }
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

    private void put(BsonDocument document, String[] path, BsonValue value) {
        BsonValue at = document;
        for (int i = 0; i < path.length; i++) {
            boolean last = i == path.length - 1;
            BsonValue child = last ? value : arrays && isIndex(path[i + 1]) ? new org.bson.BsonArray() : new BsonDocument();
            if (at.isArray()) {
                org.bson.BsonArray array = at.asArray();
                int index = Integer.parseInt(path[i]);
                while (array.size() <= index) {
                    array.add(org.bson.BsonNull.VALUE);
                }
                if (last || array.get(index).isNull()) {
                    array.set(index, child);
                }
                at = array.get(index);
            } else {
                BsonDocument d = at.asDocument();
                if (last || !d.containsKey(path[i])) {
                    d.put(path[i], child);
                }
                at = d.get(path[i]);
            }
        }
    }
}
