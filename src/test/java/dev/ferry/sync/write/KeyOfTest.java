package dev.ferry.sync.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonValue;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.Test;

/** Keys compare as the server compares them: by numeric value across types, and exactly. */
class KeyOfTest {

    private static Object key(BsonValue id) {
        return ChunkWriter.keyOf(new BsonDocument("_id", id), List.of("_id")).orElseThrow();
    }

    @Test
    void oneNumberInAnyTypeIsOneKey() {
        assertEquals(key(new BsonInt32(10)), key(new BsonInt64(10)));
        assertEquals(key(new BsonInt32(10)), key(new BsonDouble(10.0)));
        assertEquals(key(new BsonInt32(10)), key(new BsonDecimal128(Decimal128.parse("10.00"))));
        assertEquals(key(new BsonDouble(0.0)), key(new BsonDouble(-0.0)));
        assertEquals(key(new BsonInt32(0)), key(new BsonDecimal128(Decimal128.parse("-0"))));
    }

    @Test
    void largeInt64sADoubleCannotTellApartAreTwoKeys() {
        assertNotEquals(key(new BsonInt64(1_500_000_000_000_000_001L)), key(new BsonInt64(1_500_000_000_000_000_002L)));
        assertNotEquals(key(new BsonDouble(0.1)), key(new BsonDecimal128(Decimal128.parse("0.1"))),
                "0.1 as a double is not exactly one tenth, as the server compares them too");
    }
}
