package dev.ferry.sync.source;

import java.util.ArrayList;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * Filters on {@code _id} ranges in MongoDB's cross-type sort order
 * (MinKey, null, numbers, strings, objects, arrays, binData, ObjectId, bool, date, timestamp,
 * regex, MaxKey). {@code $gt} and {@code $lt} stay inside one type bracket, so a resume filter built
 * only from them would skip every document whose {@code _id} has a type that sorts later.
 */
final class IdOrder {

    /**
     * Type brackets in sort order, as {@code $type} aliases. The deprecated {@code undefined} and
     * {@code symbol} are left out: the embedded store rejects those aliases, and an {@code _id} of
     * such a type still sorts inside the null resp. string bracket, which {@code $gt} covers.
     */
    private static final List<List<String>> BRACKETS = List.of(
            List.of("minKey"),
            List.of("null"),
            List.of("int", "long", "double", "decimal"),
            List.of("string"),
            List.of("object"),
            List.of("array"),
            List.of("binData"),
            List.of("objectId"),
            List.of("bool"),
            List.of("date"),
            List.of("timestamp"),
            List.of("regex"),
            List.of("maxKey"));

    private IdOrder() {
    }

    /**
     * The filter "every {@code _id} from {@code from} up to {@code to}" in the cross-type order: the
     * {@code _id}s of {@code from}'s type at or after it (after it when not {@code inclusive}), of
     * {@code to}'s type before it, and every {@code _id} of a type that sorts between the two.
     *
     * @param from the lower bound, or null for the first {@code _id} of all
     * @param to   the upper bound, excluded, or null for none
     */
    static BsonDocument range(BsonValue from, boolean inclusive, BsonValue to) {
        return range(from, inclusive, to, false);
    }

    /** As {@link #range(BsonValue, boolean, BsonValue)}, {@code to} included when {@code toInclusive}. */
    static BsonDocument range(BsonValue from, boolean inclusive, BsonValue to, boolean toInclusive) {
        String below = toInclusive ? "$lte" : "$lt";
        int low = from == null ? -1 : bracketOf(from.getBsonType());
        int high = to == null ? BRACKETS.size() : bracketOf(to.getBsonType());
        if (from != null && to != null && low == high) {
            return new BsonDocument("_id", new BsonDocument(inclusive ? "$gte" : "$gt", from).append(below, to));
        }
        List<BsonValue> clauses = new ArrayList<>();
        if (from != null) {
            clauses.add(new BsonDocument("_id", new BsonDocument(inclusive ? "$gte" : "$gt", from)));
        }
        List<BsonValue> between = new ArrayList<>();
        boolean known = (from == null || low >= 0) && (to == null || high >= 0);
        if (known) { // a type outside the brackets (never an _id) keeps only its own comparison
            for (int i = low + 1; i < high; i++) {
                BRACKETS.get(i).forEach(alias -> between.add(new BsonString(alias)));
            }
        }
        if (!between.isEmpty()) {
            clauses.add(new BsonDocument("_id", new BsonDocument("$type", new BsonArray(between))));
        }
        if (to != null) {
            clauses.add(new BsonDocument("_id", new BsonDocument(below, to)));
        }
        if (clauses.isEmpty()) {
            return new BsonDocument();
        }
        return clauses.size() == 1 ? clauses.get(0).asDocument() : new BsonDocument("$or", new BsonArray(clauses));
    }

    private static int bracketOf(BsonType type) {
        switch (type) {
            case MIN_KEY: return 0;
            case NULL: case UNDEFINED: return 1;
            case INT32: case INT64: case DOUBLE: case DECIMAL128: return 2;
            case SYMBOL: case STRING: return 3;
            case DOCUMENT: return 4;
            case ARRAY: return 5;
            case BINARY: return 6;
            case OBJECT_ID: return 7;
            case BOOLEAN: return 8;
            case DATE_TIME: return 9;
            case TIMESTAMP: return 10;
            case REGULAR_EXPRESSION: return 11;
            case MAX_KEY: return 12;
            default: return -1;
        }
    }
}
