package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.junit.jupiter.api.Test;

/** The stretches of _id a comparison looks up, read off a mongodb source's positions. */
class IdIntervalTest {

    private static Position ranges(long read, String json) {
        return new Position(read, BsonDocument.parse("{\"$ranges\": " + json + "}"));
    }

    @Test
    void oneCursorCoversFromAfterTheLastIdBeforeUpToItsOwnLast() {
        assertEquals(Optional.of(new IdInterval(null, false, new BsonInt32(9), true)),
                IdInterval.between(Position.START, new Position(10, new BsonInt32(9))));
        assertEquals(Optional.of(new IdInterval(new BsonInt32(9), false, new BsonInt32(19), true)),
                IdInterval.between(new Position(10, new BsonInt32(9)), new Position(20, new BsonInt32(19))));
        assertEquals(List.of(new IdInterval(new BsonInt32(19), false, null, false)),
                IdInterval.beyond(new Position(20, new BsonInt32(19))));
        assertEquals(List.of(new IdInterval(null, false, null, false)), IdInterval.beyond(Position.START),
                "nothing read: the whole collection");
    }

    @Test
    void rangesCoverTheStretchOfTheRangeTheChunkCameFrom() {
        Position first = ranges(5, "[{\"max\": 100}, {\"min\": 100, \"last\": 104}]");
        assertEquals(Optional.of(new IdInterval(new BsonInt32(100), true, new BsonInt32(104), true)),
                IdInterval.between(Position.START, first), "from the range's own start");
        Position second = ranges(10, "[{\"max\": 100, \"last\": 4}, {\"min\": 100, \"last\": 104}]");
        assertEquals(Optional.of(new IdInterval(null, true, new BsonInt32(4), true)), IdInterval.between(first, second));
        Position third = ranges(15, "[{\"max\": 100, \"last\": 4, \"end\": true}, {\"min\": 100, \"last\": 109}]");
        assertEquals(Optional.of(new IdInterval(new BsonInt32(104), false, new BsonInt32(109), true)),
                IdInterval.between(second, third), "a range that ended meanwhile changes nothing");
        assertEquals(List.of(new IdInterval(new BsonInt32(4), false, new BsonInt32(100), false),
                new IdInterval(new BsonInt32(109), false, null, false)), IdInterval.beyond(third));
        assertEquals(List.of(new IdInterval(null, true, new BsonInt32(100), false),
                new IdInterval(new BsonInt32(100), true, null, false)),
                IdInterval.beyond(ranges(0, "[{\"max\": 100}, {\"min\": 100}]")), "ranges never read: whole");
    }
}
