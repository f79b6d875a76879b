package dev.ferry.sync.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.mongodb.MongoCommandException;
import com.mongodb.ServerAddress;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.client.model.changestream.FullDocument;
import dev.ferry.testing.TestMongoServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The change stream of the test server (oplog on): every kind of event, resuming, and the codes of a lost history. */
class ChangeStreamSourceTest {
    private static final Clock CLOCK = Clock.systemUTC();
    private TestMongoServer server;
    private MongoClient client;
    private MongoCollection<BsonDocument> collection;

    @BeforeEach
    void start() {
        server = TestMongoServer.withOplog();
        client = MongoClients.create(server.uri());
        collection = client.getDatabase("t").getCollection("x", BsonDocument.class);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static BsonDocument doc(int id, int v) {
        return new BsonDocument("_id", new BsonInt32(id)).append("v", new BsonInt32(v));
    }

    private EventBatch pollAll(ChangeStreamSource source, int expected) throws Exception {
        EventBatch all = new EventBatch();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (all.events() < expected && System.nanoTime() < deadline) {
            EventBatch b = source.poll(1000, Duration.ofMillis(100), CLOCK);
            b.folded().forEach(all::add);
            for (int i = b.folded().size(); i < b.events(); i++) {
                all.add(new ChangeEvent(ChangeEvent.Kind.SKIP, null, null, b.lastToken().orElseThrow(), 0));
            }
        }
        return all;
    }

    @Test
    void insertUpdateReplaceAndDeleteBecomeWholeDocumentsOrDeletesByIdFromTheStartPoint() throws Exception {
        collection.insertOne(doc(0, 0));
        StreamPoint start = ChangeStreamSource.startPoint(collection, CLOCK);
        collection.insertOne(doc(1, 1));
        collection.updateOne(Filters.eq("_id", 1), Updates.set("v", 2));
        collection.replaceOne(Filters.eq("_id", 0), doc(0, 7));
        collection.insertOne(doc(2, 2));
        collection.deleteOne(Filters.eq("_id", 2));
        try (ChangeStreamSource source = new ChangeStreamSource(collection, start, 1000)) {
            EventBatch batch = pollAll(source, 5);
            // the start point may lie before the first insert (operation time): replaying it is harmless
            assertTrue(batch.events() >= 5, "events: " + batch.events());
            assertEquals(List.of(new BsonInt32(1), new BsonInt32(0), new BsonInt32(2)),
                    batch.folded().stream().map(ChangeEvent::id).toList());
            ChangeEvent last2 = batch.folded().get(2);
            assertEquals(ChangeEvent.Kind.DELETE, last2.kind());
            assertEquals(doc(1, 2), batch.folded().get(0).document());
            assertEquals(doc(0, 7), batch.folded().get(1).document());
            assertTrue(batch.newestClusterTimeMillis() > 0);
        }
    }

    @Test
    void aStreamReopenedAfterAnEventsTokenStartsRightAfterIt() throws Exception {
        StreamPoint start = ChangeStreamSource.startPoint(collection, CLOCK);
        collection.insertOne(doc(1, 1));
        BsonDocument afterFirst;
        try (ChangeStreamSource source = new ChangeStreamSource(collection, start, 1)) {
            EventBatch first = pollAll(source, 1);
            afterFirst = first.lastToken().orElseThrow();
        }
        collection.insertOne(doc(2, 2));
        collection.deleteOne(Filters.eq("_id", 1));
        try (ChangeStreamSource source = new ChangeStreamSource(collection, StreamPoint.after(afterFirst), 1000)) {
            EventBatch rest = pollAll(source, 2);
            assertEquals(2, rest.events());
            assertEquals(List.of(ChangeEvent.Kind.UPSERT, ChangeEvent.Kind.DELETE),
                    rest.folded().stream().map(ChangeEvent::kind).toList());
        }
    }

    @Test
    void anUpdateWhoseDocumentIsGoneIsSkipped() throws Exception {
        collection.insertOne(doc(1, 1));
        StreamPoint start = ChangeStreamSource.startPoint(collection, CLOCK);
        collection.updateOne(Filters.eq("_id", 1), Updates.set("v", 2));
        collection.deleteOne(Filters.eq("_id", 1));
        try (ChangeStreamSource source = new ChangeStreamSource(collection, start, 1000)) {
            EventBatch batch = pollAll(source, 2);
            assertEquals(List.of(ChangeEvent.Kind.DELETE), batch.folded().stream().map(ChangeEvent::kind).toList());
        }
    }

    @Test
    void aDroppedCollectionEndsTheStream() throws Exception {
        collection.insertOne(doc(1, 1));
        StreamPoint start = ChangeStreamSource.startPoint(collection, CLOCK);
        collection.drop();
        try (ChangeStreamSource source = new ChangeStreamSource(collection, start, 1000)) {
            StreamEndedException e = assertThrows(StreamEndedException.class, () -> pollAll(source, 10));
            assertTrue(e.getMessage().contains("dropped"), e.getMessage());
        }
    }

    /** The test server accepts any well-formed token, so the codes of a lost history come from a mock. */
    @Test
    void historyLostAndTokenNotFoundBecomeResumeLost() {
        for (int code : new int[] {286, 280}) {
            MongoCollection<BsonDocument> failing = collectionFailingWith(code);
            StreamPoint point = StreamPoint.after(new BsonDocument("_data", new BsonString("8263")));
            try (ChangeStreamSource source = new ChangeStreamSource(failing, point, 10)) {
                ResumeLostException e = assertThrows(ResumeLostException.class,
                        () -> source.poll(10, Duration.ofMillis(100), CLOCK));
                assertTrue(e.getMessage().contains("Resubmit the job"), e.getMessage());
                assertTrue(e.getMessage().contains("8263"), e.getMessage());
            }
        }
    }

    @Test
    void otherServerErrorsAreLeftToTheClassifier() {
        MongoCollection<BsonDocument> failing = collectionFailingWith(91);
        StreamPoint point = StreamPoint.after(new BsonDocument("_data", new BsonString("01")));
        try (ChangeStreamSource source = new ChangeStreamSource(failing, point, 10)) {
            MongoCommandException e = assertThrows(MongoCommandException.class,
                    () -> source.poll(10, Duration.ofMillis(100), CLOCK));
            assertEquals(91, e.getCode());
        }
    }

    @SuppressWarnings("unchecked")
    private static MongoCollection<BsonDocument> collectionFailingWith(int code) {
        MongoCollection<BsonDocument> c = mock(MongoCollection.class);
        ChangeStreamIterable<BsonDocument> watch = mock(ChangeStreamIterable.class);
        MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> cursor = mock(MongoChangeStreamCursor.class);
        when(c.watch(anyList(), any(Class.class))).thenReturn(watch);
        when(watch.fullDocument(any(FullDocument.class))).thenReturn(watch);
        when(watch.batchSize(org.mockito.ArgumentMatchers.anyInt())).thenReturn(watch);
        when(watch.maxAwaitTime(anyLong(), any(TimeUnit.class))).thenReturn(watch);
        when(watch.resumeAfter(any(BsonDocument.class))).thenReturn(watch);
        when(watch.cursor()).thenReturn(cursor);
        BsonDocument response = new BsonDocument("ok", new BsonInt32(0)).append("code", new BsonInt32(code))
                .append("errmsg", new BsonString("Resume of change stream was not possible"));
        when(cursor.tryNext()).thenThrow(new MongoCommandException(response, new ServerAddress()));
        return c;
    }
}
