package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import dev.ferry.testing.EmbeddedMongo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MongoRangesTest {

    private static EmbeddedMongo mongo;
    private static ExecutorService readers;

    @BeforeAll
    static void start() {
        mongo = new EmbeddedMongo();
        readers = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        readers.shutdownNow();
        assertTrue(readers.awaitTermination(10, TimeUnit.SECONDS));
        mongo.close();
    }

    private static MongoCollection<BsonDocument> seeded(String name, List<BsonDocument> documents) {
        MongoCollection<BsonDocument> coll = mongo.collection(name);
        List<BsonDocument> shuffled = new ArrayList<>(documents);
        Collections.shuffle(shuffled, new Random(7));
        coll.insertMany(shuffled);
        return coll;
    }

    private static List<BsonDocument> numbered(int n) {
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new BsonDocument("_id", new BsonInt32(i)).append("odd", new org.bson.BsonBoolean(i % 2 == 1)));
        }
        return docs;
    }

    private static MongoRanges split(MongoCollection<BsonDocument> coll, BsonDocument filter, int ranges) {
        return MongoRanges.start(coll, filter, null, MongoRanges.splitPoints(coll, filter, ranges), readers);
    }

    /** Every document once, whatever order the ranges delivered them in. */
    private static void assertSameDocuments(List<BsonDocument> expected, List<BsonDocument> read) {
        assertEquals(expected.size(), read.size(), "documents read");
        Set<BsonValue> ids = new HashSet<>();
        read.forEach(d -> assertTrue(ids.add(d.get("_id")), "read twice: " + d));
        assertEquals(new HashSet<>(expected), new HashSet<>(read));
    }

    @Test
    void theSampleCutsTheCollectionIntoAscendingRangesThatTogetherHoldEveryDocumentOnce() throws Exception {
        List<BsonDocument> docs = numbered(1000);
        MongoCollection<BsonDocument> coll = seeded("numbers", docs);
        List<BsonValue> points = MongoRanges.splitPoints(coll, null, 4);
        assertEquals(3, points.size(), "split points " + points);
        for (int i = 1; i < points.size(); i++) {
            assertTrue(points.get(i - 1).asInt32().getValue() < points.get(i).asInt32().getValue(), "ascending " + points);
        }
        try (MongoRanges source = MongoRanges.start(coll, null, null, points, readers)) {
            assertEquals(4, source.ranges());
            List<BsonDocument> read = SourceAssertions.readAll(source, 50);
            assertSameDocuments(docs, read);
            assertEquals(1000, source.position().documentsRead());
        }
    }

    @Test
    void aResumedSourceContinuesEveryRangeAfterItsOwnLastIdAndRereadsWhatWasNotAcknowledged() throws Exception {
        List<BsonDocument> docs = numbered(700);
        MongoCollection<BsonDocument> coll = seeded("resumed", docs);
        List<BsonDocument> head = new ArrayList<>();
        Position checkpoint;
        try (MongoRanges source = split(coll, null, 5)) {
            for (int i = 0; i < 9; i++) {
                head.addAll(source.nextChunk(20));
            }
            checkpoint = source.position();
            assertFalse(source.nextChunk(20).isEmpty(), "read but never acknowledged");
        }
        assertEquals(head.size(), checkpoint.documentsRead());
        assertTrue(MongoRanges.isRanges(checkpoint));
        // as the checkpoint file stores it
        Position stored = new Position(checkpoint.documentsRead(),
                BsonDocument.parse(new BsonDocument("t", checkpoint.resumeToken()).toJson()).get("t"));
        try (MongoRanges resumed = MongoRanges.resume(coll, null, null, stored, readers)) {
            List<BsonDocument> all = new ArrayList<>(head);
            all.addAll(SourceAssertions.readAll(resumed, 20));
            assertSameDocuments(docs, all);
            assertEquals(700, resumed.position().documentsRead());
        }
    }

    @Test
    void rangesCutAcrossIdTypesInTheServersOrderAndMissNoType() throws Exception {
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            docs.add(new BsonDocument("_id", new BsonInt32(i)));
            docs.add(new BsonDocument("_id", new BsonString("s" + i)));
            docs.add(new BsonDocument("_id", new BsonObjectId(new ObjectId(i, i))));
        }
        MongoCollection<BsonDocument> coll = seeded("mixed", docs);
        List<BsonDocument> head = new ArrayList<>();
        Position checkpoint;
        try (MongoRanges source = split(coll, null, 6)) {
            assertTrue(source.ranges() > 2, "ranges " + source.ranges());
            for (int i = 0; i < 6; i++) {
                head.addAll(source.nextChunk(7));
            }
            checkpoint = source.position();
        }
        try (MongoRanges resumed = MongoRanges.resume(coll, null, null, checkpoint, readers)) {
            head.addAll(SourceAssertions.readAll(resumed, 7));
        }
        assertSameDocuments(docs, head);
    }

    /** The benchmarks' source answers range queries from its sorted _ids: it must give what a scan gives. */
    @Test
    void aServerThatIndexesIdRangesGivesTheSameDocuments() throws Exception {
        try (dev.ferry.testing.TestMongoServer server = new dev.ferry.testing.TestMongoServer();
             com.mongodb.client.MongoClient client = com.mongodb.client.MongoClients.create(server.uri())) {
            server.indexIdRanges();
            MongoCollection<BsonDocument> coll = client.getDatabase("test").getCollection("mixed", BsonDocument.class);
            List<BsonDocument> docs = new ArrayList<>();
            for (int i = 0; i < 90; i++) {
                docs.add(new BsonDocument("_id", i % 3 == 0 ? new BsonInt32(i) : i % 3 == 1 ? new BsonString("s" + i)
                        : new BsonObjectId(new ObjectId(i, i))));
            }
            coll.insertMany(docs);
            List<BsonDocument> head = new ArrayList<>();
            Position checkpoint;
            try (MongoRanges source = split(coll, null, 5)) {
                for (int i = 0; i < 4; i++) {
                    head.addAll(source.nextChunk(7));
                }
                checkpoint = source.position();
            }
            try (MongoRanges resumed = MongoRanges.resume(coll, null, null, checkpoint, readers)) {
                head.addAll(SourceAssertions.readAll(resumed, 7));
            }
            assertSameDocuments(docs, head);
            coll.insertOne(new BsonDocument("_id", new BsonInt32(1000)));
            try (MongoRanges again = split(coll, null, 4)) {
                assertEquals(91, SourceAssertions.readAll(again, 7).size(), "a write drops the sorted _ids");
            }
        }
    }

    @Test
    void theFilterAppliesToTheSampleAndToEveryRange() throws Exception {
        List<BsonDocument> docs = numbered(400);
        MongoCollection<BsonDocument> coll = seeded("filtered", docs);
        BsonDocument odd = BsonDocument.parse("{\"odd\": true}");
        try (MongoRanges source = split(coll, odd, 3)) {
            assertSameDocuments(docs.stream().filter(d -> d.getBoolean("odd").getValue()).toList(),
                    SourceAssertions.readAll(source, 30));
        }
        assertEquals(List.of(), MongoRanges.splitPoints(coll, BsonDocument.parse("{\"odd\": \"never\"}"), 3),
                "nothing to cut");
    }

    @Test
    void aSourceReadInRangesKeepsItsChunkSizeAndClosesWithItsReadersWaiting() throws Exception {
        MongoCollection<BsonDocument> coll = seeded("closing", numbered(500));
        MongoRanges source = split(coll, null, 4);
        assertEquals(10, source.nextChunk(10).size());
        assertThrows(IllegalArgumentException.class, () -> source.nextChunk(11));
        source.close(); // three readers wait with a chunk each; close stops them
        source.close();
        assertThrows(IllegalStateException.class, () -> source.nextChunk(10));
    }
}
