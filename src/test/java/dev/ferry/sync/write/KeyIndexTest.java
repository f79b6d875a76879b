package dev.ferry.sync.write;

import dev.ferry.sync.retry.ErrorClassifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import dev.ferry.testing.EmbeddedMongo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class KeyIndexTest {
    private static EmbeddedMongo mongo;
    private final KeyIndex keyIndex = new KeyIndex(new ErrorClassifier());
    private MongoCollection<BsonDocument> coll;

    @BeforeAll
    static void start() {
        mongo = new EmbeddedMongo();
    }

    @AfterAll
    static void stop() {
        mongo.close();
    }

    @BeforeEach
    void collection(TestInfo test) {
        coll = mongo.collection(test.getTestMethod().orElseThrow().getName());
    }

    private BsonDocument index(String name) {
        return coll.listIndexes(BsonDocument.class).into(new ArrayList<>()).stream()
                .filter(i -> i.getString("name").getValue().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void intoAnEmptyCollectionTheKeyGetsAUniqueIndex() throws Exception {
        KeyIndex.Ready ready = keyIndex.ensure(coll, List.of("sku", "shop"));
        assertEquals(Optional.of("sku_1_shop_1"), ready.created());
        assertTrue(ready.unique());
        assertTrue(index("sku_1_shop_1").getBoolean("unique").getValue());
    }

    @Test
    void intoACollectionWithDocumentsTheIndexIsNotUniqueSinceOthersMayShareAKey() throws Exception {
        coll.insertOne(BsonDocument.parse("{note: 'written by someone else, without the key'}"));
        KeyIndex.Ready ready = keyIndex.ensure(coll, List.of("sku"));
        assertEquals(Optional.of("sku_1"), ready.created());
        assertFalse(ready.unique());
        assertFalse(index("sku_1").containsKey("unique"));
    }

    @Test
    void anExistingIndexIsKeptAndSaysWhetherItIsUniqueOnExactlyTheKey() throws Exception {
        coll.createIndex(BsonDocument.parse("{shop: 1, sku: 1}"), new IndexOptions().unique(true));
        assertEquals(new KeyIndex.Ready(Optional.empty(), true), keyIndex.ensure(coll, List.of("sku", "shop")));
        assertEquals(new KeyIndex.Ready(Optional.empty(), false), keyIndex.ensure(coll, List.of("shop")),
                "unique on more fields than the key says nothing of the key alone");
    }

    @Test
    void theIdKeyNeedsNoIndexAndIsUnique() throws Exception {
        assertEquals(new KeyIndex.Ready(Optional.empty(), true), keyIndex.ensure(coll, List.of("_id")));
    }

    /** Another job creating the same index between the look and the create: a race no server plays on demand. */
    @Test
    @SuppressWarnings("unchecked")
    void anIndexMadeMeanwhileByAnotherJobIsUsedInsteadOfFailing() throws Exception {
        MongoCollection<BsonDocument> racing = org.mockito.Mockito.mock(MongoCollection.class);
        com.mongodb.client.ListIndexesIterable<BsonDocument> indexes =
                org.mockito.Mockito.mock(com.mongodb.client.ListIndexesIterable.class);
        org.mockito.Mockito.when(racing.listIndexes(BsonDocument.class)).thenReturn(indexes);
        BsonDocument id = BsonDocument.parse("{v: 2, key: {_id: 1}, name: '_id_'}");
        BsonDocument theirs = BsonDocument.parse("{v: 2, key: {sku: 1}, name: 'sku_1', unique: true}");
        var before = cursor(List.of(id));
        var after = cursor(List.of(id, theirs));
        org.mockito.Mockito.when(indexes.iterator()).thenReturn(before, after);
        org.mockito.Mockito.when(racing.countDocuments(org.mockito.ArgumentMatchers.any(org.bson.conversions.Bson.class),
                org.mockito.ArgumentMatchers.any(com.mongodb.client.model.CountOptions.class))).thenReturn(0L);
        org.mockito.Mockito.when(racing.createIndex(org.mockito.ArgumentMatchers.any(org.bson.conversions.Bson.class),
                org.mockito.ArgumentMatchers.any(IndexOptions.class))).thenThrow(new com.mongodb.MongoCommandException(
                BsonDocument.parse("{ok: 0, code: 85, codeName: 'IndexOptionsConflict', errmsg: 'Index already exists "
                        + "with a different name'}"), new com.mongodb.ServerAddress()));
        assertEquals(new KeyIndex.Ready(Optional.empty(), true), keyIndex.ensure(racing, List.of("sku")));
    }

    @SuppressWarnings("unchecked")
    private static com.mongodb.client.MongoCursor<BsonDocument> cursor(List<BsonDocument> documents) {
        java.util.Iterator<BsonDocument> it = documents.iterator();
        com.mongodb.client.MongoCursor<BsonDocument> cursor = org.mockito.Mockito.mock(com.mongodb.client.MongoCursor.class);
        org.mockito.Mockito.when(cursor.hasNext()).thenAnswer(i -> it.hasNext());
        org.mockito.Mockito.when(cursor.next()).thenAnswer(i -> it.next());
        return cursor;
    }
}
