package dev.ferry.sync.write;

import dev.ferry.sync.retry.ErrorClassifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoNamespace;
import com.mongodb.ServerAddress;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.BulkWriteUpsert;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import dev.ferry.job.WriteMode;
import dev.ferry.sync.source.Origins;
import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.junit.jupiter.api.Test;

/**
 * Rejections the embedded test server cannot produce (it drops the connection on a document over
 * 16 MiB, and sends no key pattern with a duplicate key error), scripted with Mockito: a too-large
 * document fails at once naming its line, or is returned as rejected with {@code skip}; a duplicate
 * on the key's own index (two upserts racing) stays transient.
 */
class PermanentRejectionsTest {
    private final ChunkWriter writer = new ChunkWriter(new ErrorClassifier());
    private final Origins lines = new Origins("line", new long[] {10, 12});
    private final List<BsonDocument> chunk = List.of(BsonDocument.parse("{_id: 1, a: 1}"), BsonDocument.parse("{_id: 2, a: 2}"));

    @SuppressWarnings("unchecked")
    private MongoCollection<BsonDocument> failingWith(BulkWriteError error, BulkWriteResult written) {
        MongoCollection<BsonDocument> collection = mock(MongoCollection.class);
        when(collection.getNamespace()).thenReturn(new MongoNamespace("db.c"));
        when(collection.bulkWrite(anyList(), any(BulkWriteOptions.class))).thenThrow(new MongoBulkWriteException(written,
                List.of(error), null, new ServerAddress(), Set.of()));
        return collection;
    }

    private static BulkWriteResult oneUpserted() {
        return BulkWriteResult.acknowledged(0, 0, 0, 0, List.of(new BulkWriteUpsert(0, new BsonInt32(1))), List.of());
    }

    @Test
    void aDocumentTooLargeFailsAtOnceNamingItsLine() {
        var collection = failingWith(new BulkWriteError(10334, "BSONObj size: 17000000 (0x1036640) is invalid", new BsonDocument(), 1),
                oneUpserted());
        PermanentWriteException e = assertThrows(PermanentWriteException.class,
                () -> writer.write(collection, chunk, lines, WriteMode.UPSERT, List.of("_id"), false));
        assertEquals(1, e.documentIndex());
        assertTrue(e.getMessage().startsWith("line 12 was rejected by the server: error 10334"), e.getMessage());
        assertTrue(e.getMessage().contains("16 MiB"), e.getMessage());
    }

    @Test
    void withSkipTheRefusedDocumentIsReturnedAndTheOthersCounted() throws Exception {
        var collection = failingWith(new BulkWriteError(10334, "BSONObj size: 17000000 is invalid", new BsonDocument(), 1),
                oneUpserted());
        WriteOutcome outcome = writer.write(collection, chunk, lines, WriteMode.UPSERT, List.of("_id"), true);
        assertEquals(1, outcome.upserted());
        assertEquals(List.of(1), outcome.rejected().stream().map(Rejection::index).toList());
        assertTrue(outcome.rejected().get(0).reason().startsWith("line 12 was rejected"), outcome.toString());
    }

    @Test
    void aDuplicateOnTheKeysOwnIndexIsARaceAndTransient() {
        BsonDocument details = BsonDocument.parse("{keyPattern: {a: 1}, keyValue: {a: 2}}");
        var collection = failingWith(new BulkWriteError(11000, "E11000 duplicate key error collection: db.c index: a_1 dup key: { a: 2 }",
                details, 1), oneUpserted());
        MongoBulkWriteException e = assertThrows(MongoBulkWriteException.class,
                () -> writer.write(collection, chunk, lines, WriteMode.UPSERT, List.of("a"), false));
        assertTrue(new ErrorClassifier().isTransient(e));
    }

    @Test
    void aDuplicateOnAnotherIndexByKeyPatternIsPermanent() {
        BsonDocument details = BsonDocument.parse("{keyPattern: {email: 1}, keyValue: {email: 'x'}}");
        var collection = failingWith(new BulkWriteError(11000, "E11000 duplicate key error collection: db.c index: email_1 dup key: { email: 'x' }",
                details, 0), BulkWriteResult.acknowledged(0, 1, 0, 1, List.of(), List.of()));
        PermanentWriteException e = assertThrows(PermanentWriteException.class,
                () -> writer.write(collection, chunk, lines, WriteMode.UPSERT, List.of("_id"), false));
        assertTrue(e.getMessage().startsWith("line 10 was rejected by the server: duplicate key on unique index email_1"),
                e.getMessage());
        assertSame(MongoBulkWriteException.class, e.getCause().getClass());
    }

    @Test
    void aWriteConcernErrorBesideRefusedDocumentsRetriesTheWholeChunkInsteadOfCountingAnyOfIt() {
        MongoCollection<BsonDocument> collection = failingWithConcern(new BulkWriteError(11000,
                "E11000 duplicate key error collection: db.c index: _id_ dup key: { _id: 1 }", new BsonDocument(), 0));
        for (boolean insertFirst : new boolean[] {true, false}) {
            MongoBulkWriteException e = assertThrows(MongoBulkWriteException.class,
                    () -> writer.write(collection, chunk, lines, WriteMode.UPSERT, List.of("_id"), true, insertFirst));
            assertTrue(new ErrorClassifier().isTransient(e), "retried: what was written may be rolled back");
        }
        MongoCollection<BsonDocument> refusing = failingWithConcern(new BulkWriteError(121, "Document failed validation",
                new BsonDocument(), 1));
        MongoBulkWriteException e = assertThrows(MongoBulkWriteException.class,
                () -> writer.write(refusing, chunk, lines, WriteMode.UPSERT, List.of("_id"), true));
        assertTrue(new ErrorClassifier().isTransient(e), "not a refused document counted as written beside it");
    }

    @SuppressWarnings("unchecked")
    private MongoCollection<BsonDocument> failingWithConcern(BulkWriteError error) {
        MongoCollection<BsonDocument> collection = mock(MongoCollection.class);
        when(collection.getNamespace()).thenReturn(new MongoNamespace("db.c"));
        when(collection.bulkWrite(anyList(), any(BulkWriteOptions.class))).thenThrow(new MongoBulkWriteException(
                oneUpserted(), List.of(error), new com.mongodb.bulk.WriteConcernError(64, "WriteConcernFailed",
                "waiting for replication timed out", new BsonDocument()), new ServerAddress(), Set.of()));
        return collection;
    }
}
