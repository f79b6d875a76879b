package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.UpdateResult;
import com.mongodb.bulk.BulkWriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sink of the lanes benchmarks (issue 19): writes acknowledged as a real server would, counted, not kept. */
class SinkServerTest {
    private final SinkServer sink = new SinkServer();
    private final MongoClient client = MongoClients.create(sink.uri());
    private final MongoCollection<Document> docs = client.getDatabase("db").getCollection("docs");

    @AfterEach
    void tearDown() {
        client.close();
        sink.close();
    }

    @Test
    void insertsAreAcknowledgedAndCountedButNotStored() {
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            batch.add(new Document("_id", i).append("n", "doc-" + i));
        }
        InsertManyResult result = docs.insertMany(batch);
        docs.insertOne(new Document("_id", "one"));

        assertTrue(result.wasAcknowledged());
        assertEquals(2500, result.getInsertedIds().size());
        BulkWriteResult bulk = docs.bulkWrite(List.of(new InsertOneModel<>(new Document("_id", -1)),
                new InsertOneModel<>(new Document("_id", -2))), new BulkWriteOptions().ordered(false));
        assertEquals(2, bulk.getInsertedCount());
        assertEquals(2503, sink.writes("db.docs"));
        assertEquals(2503, sink.inserted());
        assertEquals(0, docs.countDocuments(), "nothing is kept");
        assertEquals(0, sink.writes("db.other"));
    }

    @Test
    void upsertsReportTheIdsTheyWouldHaveInserted() {
        ObjectId oid = new ObjectId();
        List<WriteModel<Document>> models = List.of(
                new ReplaceOneModel<>(Filters.eq("_id", 7), new Document("_id", 7).append("v", 1),
                        new ReplaceOptions().upsert(true)),
                new ReplaceOneModel<>(Filters.eq("_id", "by-filter"), new Document("v", 2), new ReplaceOptions().upsert(true)),
                new UpdateOneModel<>(Filters.eq("_id", oid), Updates.set("v", 3), new UpdateOptions().upsert(true)),
                new UpdateOneModel<>(Filters.eq("k", "no-id"), Updates.set("v", 4), new UpdateOptions().upsert(true)),
                new UpdateOneModel<>(Filters.eq("_id", 8), Updates.set("v", 5)),
                new DeleteOneModel<>(Filters.eq("_id", 9)));

        BulkWriteResult r = docs.bulkWrite(models, new BulkWriteOptions().ordered(true));

        assertTrue(r.wasAcknowledged());
        assertEquals(4, r.getUpserts().size());
        assertEquals(0, r.getMatchedCount(), "an empty collection matches nothing");
        assertEquals(0, r.getModifiedCount());
        assertEquals(0, r.getDeletedCount());
        assertEquals(0, r.getUpserts().get(0).getIndex());
        assertEquals(new BsonInt32(7), r.getUpserts().get(0).getId());
        assertEquals(new BsonString("by-filter"), r.getUpserts().get(1).getId());
        assertEquals(oid, r.getUpserts().get(2).getId().asObjectId().getValue());
        assertEquals(3, r.getUpserts().get(3).getIndex());
        assertTrue(r.getUpserts().get(3).getId().isObjectId(), "a new ObjectId: " + r.getUpserts().get(3).getId());
        assertEquals(6, sink.writes("db.docs"), "4 upserts, 1 update, 1 delete");
        assertEquals(5, sink.updates());
        assertEquals(4, sink.upserted());
        assertEquals(1, sink.deletes());
    }

    @Test
    void singleWritesSeeTheSameCounts() {
        UpdateResult upsert = docs.replaceOne(Filters.eq("_id", 1), new Document("_id", 1), new ReplaceOptions().upsert(true));
        UpdateResult update = docs.updateOne(Filters.eq("_id", 1), Updates.set("v", 1));

        assertEquals(new BsonInt32(1), upsert.getUpsertedId());
        assertEquals(0, upsert.getMatchedCount());
        assertEquals(0, update.getMatchedCount());
        assertEquals(0, docs.deleteMany(Filters.exists("_id")).getDeletedCount());
        assertTrue(sink.awaitWrites("db.docs", 3, Duration.ofSeconds(1)));
        assertTrue(sink.writeCommands() >= 3);
    }

    @Test
    void otherCommandsAreTheMemoryBackends() {
        docs.createIndex(new Document("k", 1));
        assertEquals(1.0, client.getDatabase("admin").runCommand(new Document("ping", 1)).get("ok", Number.class)
                .doubleValue());
        assertTrue(docs.listIndexes().into(new ArrayList<>()).size() >= 2);
        assertEquals(0, sink.writes());
    }
}
