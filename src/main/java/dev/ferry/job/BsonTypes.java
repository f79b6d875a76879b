package dev.ferry.job;

import org.bson.BsonType;
import org.bson.BsonValue;

/** Names of BSON types as a job author thinks of them, with the article, e.g. "an int32". */
final class BsonTypes {
    private BsonTypes() {
    }

    static String describe(BsonValue value) {
        return describe(value.getBsonType());
    }

    static String describe(BsonType type) {
        return switch (type) {
            case DOCUMENT -> "a document";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case INT32 -> "an int32";
            case INT64 -> "an int64";
            case DOUBLE -> "a double";
            case DECIMAL128 -> "a decimal128";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case OBJECT_ID -> "an ObjectId";
            case DATE_TIME -> "a date";
            case BINARY -> "binary data";
            case REGULAR_EXPRESSION -> "a regular expression";
            case TIMESTAMP -> "a timestamp";
            case END_OF_DOCUMENT -> "nothing";
            default -> "a " + type.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        };
    }
}
