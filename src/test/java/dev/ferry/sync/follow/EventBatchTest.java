package dev.ferry.sync.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

class EventBatchTest {

    private static BsonDocument token(int n) {
        return new BsonDocument("_data", new BsonString("t" + n));
    }

    private static ChangeEvent upsert(int id, int value, int t) {
        return new ChangeEvent(ChangeEvent.Kind.UPSERT, new BsonInt32(id),
                new BsonDocument("_id", new BsonInt32(id)).append("v", new BsonInt32(value)), token(t), t * 1000L);
    }

    private static ChangeEvent delete(int id, int t) {
        return new ChangeEvent(ChangeEvent.Kind.DELETE, new BsonInt32(id), null, token(t), t * 1000L);
    }

    @Test
    void theLastEventOfAKeyWinsAndKeysKeepTheOrderOfTheirLastEvent() {
        EventBatch batch = new EventBatch();
        batch.add(upsert(1, 1, 1));
        batch.add(upsert(2, 1, 2));
        batch.add(delete(1, 3));
        batch.add(new ChangeEvent(ChangeEvent.Kind.SKIP, null, null, token(4), 4000));
        batch.add(upsert(3, 1, 5));
        batch.add(upsert(2, 9, 6));

        assertEquals(6, batch.events());
        List<ChangeEvent> folded = batch.folded();
        assertEquals(List.of(delete(1, 3), upsert(3, 1, 5), upsert(2, 9, 6)), folded);
        assertEquals(token(6), batch.lastToken().orElseThrow());
        assertEquals(6000, batch.newestClusterTimeMillis());
    }

    @Test
    void aSkippedEventMovesTheTokenButWritesNothing() {
        EventBatch batch = new EventBatch();
        batch.add(new ChangeEvent(ChangeEvent.Kind.SKIP, null, null, token(7), 7000));
        assertTrue(batch.folded().isEmpty());
        assertEquals(token(7), batch.lastToken().orElseThrow());
        assertEquals(1, batch.events());
    }

    @Test
    void aStreamPointSurvivesItsCheckpointForm() {
        StreamPoint after = StreamPoint.after(token(1));
        StreamPoint at = StreamPoint.at(new org.bson.BsonTimestamp(1_700_000_000, 3));
        assertEquals(after, StreamPoint.fromDocument(after.toDocument()));
        assertEquals(at, StreamPoint.fromDocument(at.toDocument()));
        FollowState state = FollowState.snapshot(at).following().applied(after, 10, 2);
        assertEquals(state, FollowState.fromDocument(state.toDocument()));
    }
}
