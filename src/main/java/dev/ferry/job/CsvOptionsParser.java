package dev.ferry.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The csv/tsv fields of a file source: {@code fields}, {@code types}, {@code ignoreBlanks}, {@code useArrayIndexFields},
 * {@code columnsHaveTypes}, {@code parseGrace}.
 */
final class CsvOptionsParser {
    static final List<String> FIELDS = List.of("fields", "types", "ignoreBlanks", "useArrayIndexFields",
            "columnsHaveTypes", "parseGrace");
    static final int MAX_COLUMNS = 10_000;

    private CsvOptionsParser() {
    }

    static CsvOptions parse(Fields f) throws JobRejectedException {
        boolean typedNames = f.optionalBoolean("columnsHaveTypes");
        List<String> fields = fields(f, typedNames);
        Map<String, CellType> types = types(f);
        if (typedNames && !types.isEmpty()) {
            throw JobRejectedException.invalid(f.path("types"), "give the types one way: in the typed column names of "
                    + "columnsHaveTypes, or in types, not both");
        }
        ParseGrace grace = ParseGrace.STOP;
        Optional<BsonValue> given = f.optional("parseGrace");
        if (given.isPresent()) {
            String word = Fields.string(f.path("parseGrace"), given.get(), "one of autoCast, skipField, skipRow, stop");
            grace = java.util.Arrays.stream(ParseGrace.values()).filter(g -> g.word().equals(word)).findFirst()
                    .orElseThrow(() -> JobRejectedException.invalid(f.path("parseGrace"),
                            "must be one of autoCast, skipField, skipRow, stop, was " + Text.quote(word)));
            if (!typedNames && types.isEmpty()) {
                throw JobRejectedException.invalid(f.path("parseGrace"), "applies to typed columns and this source has "
                        + "none: set \"columnsHaveTypes\": true or give \"types\"");
            }
        }
        return new CsvOptions(fields, types, f.optionalBoolean("ignoreBlanks"), f.optionalBoolean("useArrayIndexFields"),
                typedNames, grace);
    }

    /** Rejects csv-only fields on a source of another format, so that they are never silently ignored. */
    static void rejectFor(Fields f, String format) throws JobRejectedException {
        for (String name : FIELDS) {
            if (f.optional(name).isPresent()) {
                throw JobRejectedException.invalid(f.path(name), "only csv and tsv sources take " + name
                        + ", this one is " + format);
            }
        }
    }

    private static List<String> fields(Fields f, boolean typedNames) throws JobRejectedException {
        Optional<BsonValue> given = f.optional("fields");
        if (given.isEmpty()) {
            return List.of();
        }
        String expected = "an array of 1 to " + MAX_COLUMNS + " column names (for a file without a header line)";
        if (!given.get().isArray()) {
            throw Fields.wrongType(f.path("fields"), expected, given.get());
        }
        BsonArray array = given.get().asArray();
        if (array.isEmpty() || array.size() > MAX_COLUMNS) {
            throw JobRejectedException.invalid(f.path("fields"), "must be " + expected + ", was an array of " + array.size());
        }
        List<String> names = new ArrayList<>(array.size());
        List<String> fieldNames = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String path = f.path("fields") + "[" + i + "]";
            String name = Fields.string(path, array.get(i), "a non-empty string naming a column");
            String field = name; // with typed names, the name before .type()
            if (typedNames) {
                try {
                    field = TypedColumn.parse(name).name();
                } catch (IllegalArgumentException e) {
                    throw JobRejectedException.invalid(path, e.getMessage());
                }
                if (field.isEmpty()) {
                    throw JobRejectedException.invalid(path, Text.quote(name) + " names no field before its type");
                }
            }
            requireColumnName(path, field);
            if (fieldNames.contains(field)) {
                throw JobRejectedException.invalid(path, "column " + Text.quote(field) + " is listed twice");
            }
            for (String other : fieldNames) {
                if (other.startsWith(field + ".") || field.startsWith(other + ".")) {
                    throw JobRejectedException.invalid(path, "column " + Text.quote(field) + " and column "
                            + Text.quote(other) + " would be one inside the other");
                }
            }
            fieldNames.add(field);
            names.add(name);
        }
        return names;
    }

    /** Column names become field names, dotted ones nested documents: the same rules as a key path. */
    static void requireColumnName(String path, String name) throws JobRejectedException {
        if (name.startsWith("$") || name.indexOf('\u0000') >= 0) {
            throw JobRejectedException.invalid(path, "a column name must not start with $ or contain NUL, was "
                    + Text.quote(name));
        }
        if (name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
            throw JobRejectedException.invalid(path, "must be a field name or a dotted path like address.city, was "
                    + Text.quote(name));
        }
    }

    private static Map<String, CellType> types(Fields f) throws JobRejectedException {
        Optional<BsonDocument> given = f.optionalDocument("types", "a document of column name to type ("
                + CellType.words() + ")");
        if (given.isEmpty()) {
            return Map.of();
        }
        Map<String, CellType> types = new LinkedHashMap<>();
        for (Map.Entry<String, BsonValue> e : given.get().entrySet()) {
            String path = f.path("types") + "." + e.getKey();
            requireColumnName(path, e.getKey());
            String word = Fields.string(path, e.getValue(), "a type: " + CellType.words());
            CellType type = null;
            for (CellType t : CellType.values()) {
                if (t.word().equals(word)) {
                    type = t;
                }
            }
            if (type == null) {
                throw JobRejectedException.invalid(path, "must be one of " + CellType.words() + ", was " + Text.quote(word));
            }
            types.put(e.getKey(), type);
        }
        return types;
    }
}
