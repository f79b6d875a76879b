package dev.ferry.job;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * Typed access to one JSON object of a job file. Every failure names the field by its JSON path
 * ({@code source.collection}) and says what it must be, because that is all the author gets to see.
 */
final class Fields {
    private final BsonDocument doc;
    private final String prefix;

    /** @param path JSON path of this object; empty for the top level */
    Fields(BsonDocument doc, String path) {
        this.doc = doc;
        this.prefix = path.isEmpty() ? "" : path + ".";
    }

    String path(String name) {
        return prefix + name;
    }

    /** Rejects the first field not in {@code allowed}; a typo is never silently ignored (docs/jobs.md, "Job files"). */
    void allowOnly(List<String> allowed, String where) throws JobRejectedException {
        for (String name : doc.keySet()) {
            if (!allowed.contains(name)) {
                String hint = suggestion(name, allowed).map(s -> " (did you mean " + s + "?)").orElse("");
                throw JobRejectedException.invalid(path(name), "unknown field" + hint + where
                        + "; allowed: " + String.join(", ", allowed));
            }
        }
    }

    Optional<BsonValue> optional(String name) {
        return Optional.ofNullable(doc.get(name));
    }

    BsonValue required(String name, String expected) throws JobRejectedException {
        BsonValue v = doc.get(name);
        if (v == null) {
            throw JobRejectedException.invalid(path(name), "missing, must be " + expected);
        }
        return v;
    }

    String requiredString(String name, String expected) throws JobRejectedException {
        return string(path(name), required(name, expected), expected);
    }

    /** A field that is {@code true} or {@code false}; false when absent. */
    boolean optionalBoolean(String name) throws JobRejectedException {
        BsonValue v = doc.get(name);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw wrongType(path(name), "true or false", v);
        }
        return v.asBoolean().getValue();
    }

    Optional<String> optionalString(String name, String expected) throws JobRejectedException {
        BsonValue v = doc.get(name);
        return v == null ? Optional.empty() : Optional.of(string(path(name), v, expected));
    }

    BsonDocument requiredDocument(String name, String expected) throws JobRejectedException {
        return document(path(name), required(name, expected), expected);
    }

    Optional<BsonDocument> optionalDocument(String name, String expected) throws JobRejectedException {
        BsonValue v = doc.get(name);
        return v == null ? Optional.empty() : Optional.of(document(path(name), v, expected));
    }

    /** A non-empty string, or an error naming the field, the expectation and what was there instead. */
    static String string(String path, BsonValue v, String expected) throws JobRejectedException {
        if (!v.isString()) {
            throw wrongType(path, expected, v);
        }
        String s = v.asString().getValue();
        if (s.isEmpty()) {
            throw JobRejectedException.invalid(path, "must be " + expected + ", was an empty string");
        }
        return s;
    }

    static BsonDocument document(String path, BsonValue v, String expected) throws JobRejectedException {
        if (!v.isDocument()) {
            throw wrongType(path, expected, v);
        }
        return v.asDocument();
    }

    static JobRejectedException wrongType(String path, String expected, BsonValue was) {
        return JobRejectedException.invalid(path, "must be " + expected + ", was " + BsonTypes.describe(was));
    }

    /** For messages about a value of the right type but not an allowed one. */
    static String was(BsonValue v) {
        return v instanceof BsonString s ? Text.quote(s.getValue()) : BsonTypes.describe(v);
    }

    /** The allowed name the author probably meant: same letters in another case, or one or two typos. */
    static Optional<String> suggestion(String name, List<String> allowed) {
        for (String a : allowed) {
            if (a.equalsIgnoreCase(name)) {
                return Optional.of(a);
            }
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        boolean tie = false;
        String lower = name.toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            int d = distance(lower, a.toLowerCase(Locale.ROOT));
            if (d > (a.length() <= 4 ? 1 : 2)) {
                continue;
            }
            tie = d == bestDistance;
            if (d < bestDistance) {
                best = a;
                bestDistance = d;
            }
        }
        return tie ? Optional.empty() : Optional.ofNullable(best);
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2 || a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
