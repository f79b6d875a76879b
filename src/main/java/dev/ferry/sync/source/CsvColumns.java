package dev.ferry.sync.source;

import dev.ferry.job.CellType;
import dev.ferry.job.CsvOptions;
import dev.ferry.job.ParseGrace;
import dev.ferry.job.TypedColumn;
import java.util.function.Function;
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
    /** Each column's converter: from {@code types}, or from its typed name with columnsHaveTypes. */
    private final List<Function<String, BsonValue>> converters;
    /** Whether an empty cell is a cell that does not parse (typed columns other than string and auto). */
    private final List<Boolean> emptyIsWrong;
    private final List<String> typeWords;
    private final boolean ignoreBlanks;
    private final boolean arrays;
    private final ParseGrace grace;
    private final boolean[] noticed;
    private long graced;
    private final List<String> notices = new ArrayList<>();

    /** A row that parseGrace skipRow sets aside, whatever onInvalid says. */
    static final class SkipRow extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        SkipRow(String message) {
            super(message);
        }
    }

    private CsvColumns(List<String> names, List<TypedColumn> typed, CsvOptions options) {
        this.names = List.copyOf(names);
        this.paths = new ArrayList<>(names.size());
        this.converters = new ArrayList<>(names.size());
        this.emptyIsWrong = new ArrayList<>(names.size());
        this.typeWords = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            paths.add(name.split("\\."));
            if (typed != null) {
                TypedColumn column = typed.get(i);
                Function<String, BsonValue> converter = CellConverter.typed(column);
                // as every typed cell but a string's (docs/jobs.md, "Files as mongoimport reads them"): blanks around go
                converters.add(column.kind() == TypedColumn.Kind.STRING ? converter : cell -> converter.apply(cell.strip()));
                emptyIsWrong.add(false); // the converter says: as mongoimport, "" is no int32
                typeWords.add(column.describeType());
            } else {
                CellType type = options.typeOf(name);
                converters.add(cell -> CellConverter.convert(cell, type));
                emptyIsWrong.add(type != CellType.STRING && type != CellType.AUTO);
                typeWords.add(type.word());
            }
        }
        this.ignoreBlanks = options.ignoreBlanks();
        this.arrays = options.useArrayIndexFields();
        this.grace = options.parseGrace();
        this.noticed = new boolean[names.size()];
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
        List<TypedColumn> typed = null;
        List<String> names = header;
        if (options.columnsHaveTypes()) {
            typed = new ArrayList<>(header.size());
            for (int i = 0; i < header.size(); i++) {
                try {
                    typed.add(TypedColumn.parse(header.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("column " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
            names = typed.stream().map(TypedColumn::name).toList();
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
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
        for (String a : names) {
            for (String b : names) {
                if (b.startsWith(a + ".")) {
                    throw new IllegalArgumentException("column \"" + b + "\" would be inside column \"" + a + "\"");
                }
            }
        }
        if (options.useArrayIndexFields()) {
            checkIndexes(names);
        }
        for (String type : options.types().keySet()) {
            if (!seen.contains(type)) {
                throw new IllegalArgumentException("types names column \"" + type + "\", which the file does not have (columns: "
                        + String.join(", ", names) + ")");
            }
        }
        return new CsvColumns(names, typed, options);
    }

    int size() {
        return names.size();
    }

    /**
     * @throws IllegalArgumentException naming the column when a cell does not fit its type (and parseGrace is
     *                                  {@code stop}) or the row has more cells than there are columns
     * @throws SkipRow                  when a cell does not fit its type and parseGrace is {@code skipRow}
     */
    BsonDocument document(List<String> cells, long line) {
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
            BsonValue value;
            try {
                if (cell.isEmpty() && emptyIsWrong.get(i)) {
                    throw new IllegalArgumentException("empty, but its type is " + typeWords.get(i)
                            + " (set \"ignoreBlanks\": true to leave empty cells out)");
                }
                value = converters.get(i).apply(cell);
            } catch (IllegalArgumentException e) {
                String reason = "column " + (i + 1) + " (" + names.get(i) + "): " + e.getMessage();
                switch (grace) {
                    case SKIP_ROW -> throw new SkipRow(reason + " (parseGrace skipRow)");
                    case SKIP_FIELD -> {
                        grace(i, line, reason, "left out of the document");
                        continue;
                    }
                    case AUTO_CAST -> {
                        value = CellConverter.auto(cell, cell.strip());
                        grace(i, line, reason, "stored as " + (value.isString() ? "text" : "a number"));
                    }
                    default -> throw new IllegalArgumentException(reason, e);
                }
            }
            put(document, paths.get(i), value);
        }
        return document;
    }

    /** Counts a cell parseGrace let through; the first of each column is told, the rest only counted. */
    private void grace(int column, long line, String reason, String what) {
        graced++;
        if (!noticed[column]) {
            noticed[column] = true;
            notices.add("line " + line + ", " + reason + ": " + what + " (parseGrace " + grace.word() + "); further such cells of column "
                    + (column + 1) + " are counted in the result, not logged");
        }
    }

    /** The cells let through since the last call, and the notices to log about them. */
    Batch.Graced drainGraced() {
        if (graced == 0 && notices.isEmpty()) {
            return Batch.Graced.NONE;
        }
        Batch.Graced out = new Batch.Graced(graced, notices);
        graced = 0;
        notices.clear();
        return out;
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
