package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import dev.ferry.job.SourceSpec;
import dev.ferry.testing.EmbeddedMongo;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MongoSourceTest {

    private static EmbeddedMongo mongo;

    @BeforeAll
    static void start() {
        mongo = new EmbeddedMongo();
    }

    @AfterAll
    static void stop() {
        mongo.close();
    }

    @Test
    void streamsInIdOrderAndResumesAfterTheLastId() throws Exception {
        MongoCollection<BsonDocument> coll = mongo.collection("people");
        List<BsonDocument> expected = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            expected.add(new BsonDocument("_id", new BsonInt32(i)).append("name", new BsonString("p" + i)).append("even", new org.bson.BsonBoolean(i % 2 == 0)));
        }
        List<BsonDocument> shuffled = new ArrayList<>(expected);
        java.util.Collections.shuffle(shuffled, new java.util.Random(1));
        coll.insertMany(shuffled);

        SourceAssertions.assertStreamsAndResumes(start -> new MongoSource(coll, null, null, start), expected, 3);
        SourceSpec.Mongo spec = new SourceSpec.Mongo("local", "test", "people", BsonDocument.parse("{\"even\": true}"), null);
        List<BsonDocument> evens = expected.stream().filter(d -> d.getBoolean("even").getValue()).toList();
        SourceAssertions.assertStreamsAndResumes(start -> Sources.open(spec, start, s -> coll), evens, 2);
    }

    @Test
    void resumeDoesNotSkipIdsOfATypeThatSortsLater() throws Exception {
        MongoCollection<BsonDocument> coll = mongo.collection("mixed");
        List<BsonDocument> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add(new BsonDocument("_id", new BsonInt32(i)));
        }
        for (int i = 0; i < 10; i++) {
            expected.add(new BsonDocument("_id", new BsonString("s" + i)));
        }
        for (int i = 0; i < 10; i++) {
            expected.add(new BsonDocument("_id", new BsonObjectId(new ObjectId(i, i))));
        }
        coll.insertMany(expected);
        SourceAssertions.assertStreamsAndResumes(start -> new MongoSource(coll, null, null, start), expected, 1);
    }

    @Test
    void projectionAlwaysKeepsIdSoTheSourceCanResume() throws Exception {
        MongoCollection<BsonDocument> coll = mongo.collection("projected");
        for (int i = 0; i < 20; i++) {
            coll.insertOne(new BsonDocument("_id", new BsonInt32(i)).append("a", new BsonInt32(i)).append("secret", new BsonString("x")));
        }
        BsonDocument dropId = BsonDocument.parse("{\"_id\": 0, \"a\": 1}");
        List<BsonDocument> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(new BsonDocument("_id", new BsonInt32(i)).append("a", new BsonInt32(i)));
        }
        SourceAssertions.assertStreamsAndResumes(start -> new MongoSource(coll, null, dropId, start), expected, 2);
        try (MongoSource source = new MongoSource(coll, null, BsonDocument.parse("{\"secret\": 0}"), Position.START)) {
            List<BsonDocument> chunk = source.nextChunk(100);
            assertEquals(20, chunk.size());
            assertTrue(chunk.stream().allMatch(d -> d.containsKey("_id") && !d.containsKey("secret")));
        }
    }

    @Test
    void anEmptyCollectionIsAnEmptySource() {
        try (MongoSource source = new MongoSource(mongo.collection("empty"), null, null, Position.START)) {
            assertTrue(source.nextChunk(7).isEmpty());
            assertEquals(Position.START, source.position());
        }
    }
}
