package dev.ferry.sync.source;

import java.util.ArrayList;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * The filter "every {@code _id} that sorts after this one" in MongoDB's cross-type sort order
 * (MinKey, null, numbers, strings, objects, arrays, binData, ObjectId, bool, date, timestamp,
 * regex, MaxKey). {@code $gt} alone stays inside one type bracket, so a resume filter built only
 * from it would skip every document whose {@code _id} has a type that sorts later.
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

    static BsonDocument after(BsonValue lastId) {
        BsonDocument greater = new BsonDocument("_id", new BsonDocument("$gt", lastId));
        int bracket = bracketOf(lastId.getBsonType());
        List<BsonValue> later = new ArrayList<>();
        if (bracket >= 0) {
            for (int i = bracket + 1; i < BRACKETS.size(); i++) {
                BRACKETS.get(i).forEach(alias -> later.add(new BsonString(alias)));
            }
        }
        if (later.isEmpty()) {
            return greater;
        }
        BsonDocument laterType = new BsonDocument("_id", new BsonDocument("$type", new BsonArray(later)));
        return new BsonDocument("$or", new BsonArray(List.of(greater, laterType)));
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
