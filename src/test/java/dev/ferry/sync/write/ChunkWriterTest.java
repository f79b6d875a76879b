package dev.ferry.sync.write;

import dev.ferry.sync.retry.ErrorClassifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Sorts;
import dev.ferry.job.WriteMode;
import dev.ferry.testing.EmbeddedMongo;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class ChunkWriterTest {

    private static EmbeddedMongo mongo;
    private final ChunkWriter writer = new ChunkWriter(new ErrorClassifier());
    private MongoCollection<BsonDocument> coll;

    @BeforeAll
    static void start() {
        mongo = new EmbeddedMongo();
    }

    @AfterAll
    static void stop() {
        mongo.close();
    }

    @org.junit.jupiter.api.BeforeEach
    void collection(TestInfo test) {
        coll = mongo.collection(test.getTestMethod().orElseThrow().getName());
    }

    private static BsonDocument doc(String json) {
        return BsonDocument.parse(json);
    }

    private List<BsonDocument> contents() {
        return coll.find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
    }

    private List<BsonDocument> contentsWithoutIds() {
        List<BsonDocument> docs = new ArrayList<>();
        for (BsonDocument d : coll.find().sort(Sorts.ascending("sku"))) {
            d.remove("_id");
            docs.add(d);
        }
        return docs;
    }

    @Test
    void insertAddsNewKeysAndSkipsAndCountsExistingOnes() throws Exception {
        coll.insertOne(doc("{_id: 1, name: 'old'}"));
        WriteOutcome out = writer.write(coll, List.of(doc("{_id: 1, name: 'new'}"), doc("{_id: 2, name: 'two'}"), doc("{_id: 3}")),
                WriteMode.INSERT, List.of("_id"));
        assertEquals(new WriteOutcome(2, 0, 0, 0, 1), out);
        assertEquals(List.of(doc("{_id: 1, name: 'old'}"), doc("{_id: 2, name: 'two'}"), doc("{_id: 3}")), contents());
    }

    @Test
    void upsertReplacesTheWholeDocument() throws Exception {
        coll.insertOne(doc("{_id: 1, name: 'old', extra: true}"));
        WriteOutcome out = writer.write(coll, List.of(doc("{_id: 1, name: 'new'}"), doc("{_id: 2, name: 'two'}")), WriteMode.UPSERT, List.of("_id"));
        assertEquals(new WriteOutcome(0, 1, 1, 1, 0), out);
        assertEquals(List.of(doc("{_id: 1, name: 'new'}"), doc("{_id: 2, name: 'two'}")), contents());
    }

    @Test
    void mergeSetsGivenFieldsAndKeepsTheOthers() throws Exception {
        coll.insertOne(doc("{_id: 1, name: 'old', extra: true}"));
        WriteOutcome out = writer.write(coll, List.of(doc("{_id: 1, name: 'new', age: 3}"), doc("{_id: 2, name: 'two'}")), WriteMode.MERGE, List.of("_id"));
        assertEquals(new WriteOutcome(0, 1, 1, 1, 0), out);
        assertEquals(List.of(doc("{_id: 1, name: 'new', extra: true, age: 3}"), doc("{_id: 2, name: 'two'}")), contents());
    }

    @Test
    void mergeByANonIdKeyGivesNewDocumentsTheSourceId() throws Exception {
        coll.insertOne(doc("{_id: 'existing', sku: 'a', qty: 1, color: 'red'}"));
        writer.write(coll, List.of(doc("{_id: 'ignored-for-existing', sku: 'a', qty: 2}"), doc("{_id: 'b-id', sku: 'b', qty: 5}")),
                WriteMode.MERGE, List.of("sku"));
        assertEquals(List.of(doc("{_id: 'b-id', sku: 'b', qty: 5}"), doc("{_id: 'existing', sku: 'a', qty: 2, color: 'red'}")), contents());
    }

    @Test
    void compositeKeyIdentifiesDocumentsByAllItsFields() throws Exception {
        List<BsonDocument> first = List.of(doc("{sku: 'a', shop: 1, qty: 1}"), doc("{sku: 'a', shop: 2, qty: 1}"));
        assertEquals(new WriteOutcome(0, 0, 0, 2, 0), writer.write(coll, first, WriteMode.UPSERT, List.of("sku", "shop")));
        List<BsonDocument> second = List.of(doc("{sku: 'a', shop: 2, qty: 9}"), doc("{sku: 'b', shop: 1, qty: 1}"));
        assertEquals(new WriteOutcome(0, 1, 1, 1, 0), writer.write(coll, second, WriteMode.UPSERT, List.of("sku", "shop")));
        assertEquals(3, coll.countDocuments());
        assertEquals(1, coll.countDocuments(doc("{sku: 'a', shop: 2, qty: 9}")));
        assertEquals(1, coll.countDocuments(doc("{sku: 'a', shop: 1, qty: 1}")));
    }

    @Test
    void aDocumentWithoutAKeyFieldFailsTheChunkBeforeAnythingIsWritten() {
        List<BsonDocument> chunk = List.of(doc("{sku: 'a', shop: 1}"), doc("{sku: 'b', shop: 1}"), doc("{sku: 'c'}"));
        PermanentWriteException e = assertThrows(PermanentWriteException.class,
                () -> writer.write(coll, chunk, WriteMode.UPSERT, List.of("sku", "shop")));
        assertEquals(2, e.documentIndex());
        assertTrue(e.getMessage().startsWith("document 3 of the chunk has no key field \"shop\""), e.getMessage());
        assertEquals(0, coll.countDocuments());
    }

    @Test
    void aChunkWrittenTwiceAfterAResumeLeavesTheSameCollection() throws Exception {
        for (WriteMode mode : List.of(WriteMode.INSERT, WriteMode.UPSERT, WriteMode.MERGE)) { // verify writes nothing; delete keeps nothing
            MongoCollection<BsonDocument> c = mongo.collection("twice-" + mode.word());
            c.insertOne(doc("{_id: 1, sku: 'a', qty: 0, color: 'red'}"));
            List<BsonDocument> chunk = List.of(doc("{_id: 1, sku: 'a', qty: 1}"), doc("{_id: 2, sku: 'b', qty: 2}"), doc("{_id: 3, sku: 'c', qty: 3}"));
            writer.write(c, chunk, mode, List.of("sku"));
            List<BsonDocument> once = c.find().sort(Sorts.ascending("sku")).into(new ArrayList<>());
            WriteOutcome again = writer.write(c, chunk, mode, List.of("sku"));
            assertEquals(once, c.find().sort(Sorts.ascending("sku")).into(new ArrayList<>()), mode.word());
            assertEquals(3, c.countDocuments(), mode.word());
            if (mode == WriteMode.INSERT) {
                assertEquals(new WriteOutcome(0, 0, 0, 0, 3), again);
            } else {
                assertEquals(3, again.matched(), mode.word());
                assertEquals(0, again.upserted(), mode.word());
            }
        }
    }

    @Test
    void duplicateKeysInOneChunkBehaveAsIfWrittenInOrder() throws Exception {
        List<BsonDocument> chunk = List.of(doc("{sku: 'a', qty: 1, first: true}"), doc("{sku: 'b', qty: 1}"), doc("{sku: 'a', qty: 2, last: true}"));
        assertEquals(new WriteOutcome(0, 1, 0, 2, 0), writer.write(coll, chunk, WriteMode.UPSERT, List.of("sku")));
        assertEquals(List.of(doc("{sku: 'a', qty: 2, last: true}"), doc("{sku: 'b', qty: 1}")), contentsWithoutIds());

        coll.deleteMany(new BsonDocument());
        assertEquals(new WriteOutcome(2, 0, 0, 0, 1), writer.write(coll, chunk, WriteMode.INSERT, List.of("sku")));
        assertEquals(List.of(doc("{sku: 'a', qty: 1, first: true}"), doc("{sku: 'b', qty: 1}")), contentsWithoutIds());

        coll.deleteMany(new BsonDocument());
        assertEquals(new WriteOutcome(0, 1, 0, 2, 0), writer.write(coll, chunk, WriteMode.MERGE, List.of("sku")));
        assertEquals(List.of(doc("{sku: 'a', qty: 2, first: true, last: true}"), doc("{sku: 'b', qty: 1}")), contentsWithoutIds());
    }

    @Test
    void aDocumentTheServerRejectsIsAPermanentErrorNamingItsPlaceInTheChunk() {
        coll.insertOne(doc("{_id: 'x', sku: 'a'}"));
        List<BsonDocument> chunk = List.of(doc("{_id: 1, sku: 'b'}"), doc("{_id: 2, sku: 'a'}"));
        PermanentWriteException e = assertThrows(PermanentWriteException.class, () -> writer.write(coll, chunk, WriteMode.UPSERT, List.of("sku")));
        assertEquals(1, e.documentIndex());
        assertTrue(e.getMessage().startsWith("document 2 of the chunk was rejected by the server: error 66"), e.getMessage());
        assertTrue(e.getMessage().contains("use mode merge"), e.getMessage());
    }

    @Test
    void dottedKeyFieldsAreLookedUpInsideSubdocuments() throws Exception {
        writer.write(coll, List.of(doc("{_id: 1, ref: {sys: 'a', id: 7}, v: 1}")), WriteMode.UPSERT, List.of("ref.id"));
        writer.write(coll, List.of(doc("{_id: 1, ref: {sys: 'a', id: 7}, v: 2}")), WriteMode.UPSERT, List.of("ref.id"));
        assertEquals(List.of(doc("{_id: 1, ref: {sys: 'a', id: 7}, v: 2}")), contents());
    }

    @Test
    void anEmptyChunkWritesNothing() throws Exception {
        assertEquals(WriteOutcome.NONE, writer.write(coll, List.of(), WriteMode.UPSERT, List.of("_id")));
    }

    private WriteOutcome insertFirst(List<BsonDocument> docs, WriteMode mode, List<String> key, boolean keepGoing)
            throws Exception {
        return writer.write(coll, new ArrayList<>(docs), dev.ferry.sync.source.Origins.ofChunk(docs.size()), mode, key,
                keepGoing, true);
    }

    @Test
    void upsertByInsertFirstReplacesWhatExistsAndCountsAsTheUpsertsWould() throws Exception {
        coll.insertOne(doc("{_id: 1, name: 'old', extra: true}"));
        WriteOutcome out = insertFirst(List.of(doc("{_id: 1, name: 'new'}"), doc("{_id: 2, name: 'two'}")),
                WriteMode.UPSERT, List.of("_id"), false);
        assertEquals(new WriteOutcome(0, 1, 1, 1, 0), out, "the same counts as upsertReplacesTheWholeDocument");
        assertEquals(List.of(doc("{_id: 1, name: 'new'}"), doc("{_id: 2, name: 'two'}")), contents());
    }

    @Test
    void insertModeByInsertFirstSkipsWhatExistsAndLeavesIt() throws Exception {
        coll.insertOne(doc("{_id: 1, name: 'old'}"));
        WriteOutcome out = insertFirst(List.of(doc("{_id: 1, name: 'new'}"), doc("{_id: 2, name: 'two'}"), doc("{_id: 3}")),
                WriteMode.INSERT, List.of("_id"), false);
        assertEquals(new WriteOutcome(2, 0, 0, 0, 1), out);
        assertEquals(List.of(doc("{_id: 1, name: 'old'}"), doc("{_id: 2, name: 'two'}"), doc("{_id: 3}")), contents());
    }

    @Test
    void aChunkWrittenTwiceByInsertFirstLeavesTheSameCollectionWithLastWins() throws Exception {
        List<BsonDocument> chunk = List.of(doc("{_id: 1, v: 'a'}"), doc("{_id: 2, v: 'b'}"), doc("{_id: 1, v: 'c'}"));
        assertEquals(new WriteOutcome(0, 1, 0, 2, 0), insertFirst(chunk, WriteMode.UPSERT, List.of("_id"), false));
        List<BsonDocument> once = contents();
        assertEquals(new WriteOutcome(0, 3, 0, 0, 0), insertFirst(chunk, WriteMode.UPSERT, List.of("_id"), false));
        assertEquals(once, contents());
        assertEquals(List.of(doc("{_id: 1, v: 'c'}"), doc("{_id: 2, v: 'b'}")), once);
    }

    @Test
    void underAUniqueCompoundKeyDocumentsWithoutIdAreInsertedFirstAndAReplaceKeepsTheStoredId() throws Exception {
        coll.createIndex(doc("{sku: 1, shop: 1}"), new com.mongodb.client.model.IndexOptions().unique(true));
        coll.insertOne(doc("{_id: 7, sku: 'a', shop: 1, price: 3}"));
        List<BsonDocument> chunk = new ArrayList<>(List.of(doc("{sku: 'a', shop: 1, price: 4}"),
                doc("{sku: 'b', shop: 1, price: 5}")));
        WriteOutcome out = insertFirst(chunk, WriteMode.UPSERT, List.of("sku", "shop"), false);
        assertEquals(new WriteOutcome(0, 1, 1, 1, 0), out);
        assertEquals(doc("{_id: 7, sku: 'a', shop: 1, price: 4}"), coll.find(doc("{sku: 'a'}")).first());
        assertTrue(coll.find(doc("{sku: 'b'}")).first().isObjectId("_id"), "a new document got an ObjectId");
        assertEquals(List.of(doc("{sku: 'a', shop: 1, price: 4}"), doc("{sku: 'b', shop: 1, price: 5}")), chunk,
                "the chunk's documents are left as read");
        assertEquals(new WriteOutcome(0, 2, 0, 0, 0), insertFirst(chunk, WriteMode.UPSERT, List.of("sku", "shop"), false),
                "written again (a resume): nothing new");
        assertEquals(2, coll.countDocuments());
    }

    @Test
    void underAnotherKeyDocumentsWithAnIdAreWrittenByKeySoACollisionOnIdIsToldApart() throws Exception {
        coll.createIndex(doc("{sku: 1}"), new com.mongodb.client.model.IndexOptions().unique(true));
        coll.insertOne(doc("{_id: 7, sku: 'a', price: 3}"));
        WriteOutcome out = insertFirst(List.of(doc("{_id: 7, sku: 'a', price: 5}")), WriteMode.UPSERT, List.of("sku"),
                false);
        assertEquals(new WriteOutcome(0, 1, 1, 0, 0), out, "the same document by key, not a duplicate _id");
        assertEquals(List.of(doc("{_id: 7, sku: 'a', price: 5}")), contents());
    }

    @Test
    void insertFirstNamesADuplicateOnAnotherUniqueIndexAndWritesTheRestWhenKeepingGoing() throws Exception {
        coll.createIndex(doc("{email: 1}"), new com.mongodb.client.model.IndexOptions().unique(true));
        coll.insertOne(doc("{_id: 1, email: 'taken'}"));
        WriteOutcome out = insertFirst(List.of(doc("{_id: 1, email: 'taken', v: 2}"), doc("{_id: 2, email: 'taken'}"),
                doc("{_id: 3, email: 'free'}")), WriteMode.UPSERT, List.of("_id"), true);
        assertEquals(1, out.rejected().size(), out.toString());
        assertEquals(1, out.rejected().get(0).index());
        assertTrue(out.rejected().get(0).reason().contains("duplicate key on unique index email_1"), out.toString());
        assertEquals(1, out.matched(), out.toString());
        assertEquals(1, out.upserted(), out.toString());
        assertEquals(List.of(doc("{_id: 1, email: 'taken', v: 2}"), doc("{_id: 3, email: 'free'}")), contents());
        PermanentWriteException e = assertThrows(PermanentWriteException.class, () -> insertFirst(
                List.of(doc("{_id: 4, email: 'free'}")), WriteMode.UPSERT, List.of("_id"), false));
        assertTrue(e.getMessage().startsWith("document 1 of the chunk was rejected by the server: duplicate key on unique "
                + "index email_1"), e.getMessage());
    }

    @Test
    void aRewriteUnderAKeyWithAnotherUniqueIndexMadeFirstReplacesTheDocumentAsAWriteByKeyWould() throws Exception {
        // the other index comes first in the catalog, so a repeated insert may be refused on it, not on the key
        coll.createIndex(doc("{email: 1}"), new com.mongodb.client.model.IndexOptions().unique(true));
        coll.createIndex(doc("{sku: 1, shop: 1}"), new com.mongodb.client.model.IndexOptions().unique(true));
        List<BsonDocument> first = List.of(doc("{sku: 'a', shop: 1, email: 'a@x', v: 1}"),
                doc("{sku: 'b', shop: 1, email: 'b@x', v: 1}"));
        assertEquals(new WriteOutcome(0, 0, 0, 2, 0), insertFirst(first, WriteMode.UPSERT, List.of("sku", "shop"), false));
        List<BsonDocument> again = List.of(doc("{sku: 'a', shop: 1, email: 'a@x', v: 2}"),
                doc("{sku: 'b', shop: 1, email: 'b@x', v: 2}"));
        assertEquals(new WriteOutcome(0, 2, 2, 0, 0), insertFirst(again, WriteMode.UPSERT, List.of("sku", "shop"), false),
                "a resume or rerun: both replaced by key, none refused");
        assertEquals(List.of(2, 2), coll.find().into(new ArrayList<>()).stream().map(d -> d.getInt32("v").getValue()).toList());
        assertEquals(new WriteOutcome(0, 0, 0, 0, 2), insertFirst(again, WriteMode.INSERT, List.of("sku", "shop"), false),
                "insert mode skips them");
        assertEquals(2, coll.countDocuments());
    }

    @Test
    void aFieldNameWithANulCharacterIsRefusedByDocumentNotForTheWholeChunk() throws Exception {
        List<BsonDocument> chunk = List.of(doc("{_id: 1, ok: true}"), new BsonDocument("_id", new org.bson.BsonInt32(2))
                .append("sub", new BsonDocument("a\u0000b", new org.bson.BsonInt32(1))));
        WriteOutcome out = writer.write(coll, new ArrayList<>(chunk), dev.ferry.sync.source.Origins.ofChunk(2),
                WriteMode.UPSERT, List.of("_id"), true, true);
        assertEquals(1, out.upserted());
        assertEquals(1, out.rejected().size());
        assertEquals(1, out.rejected().get(0).index());
        assertTrue(out.rejected().get(0).reason().contains("document 2 of the chunk has a field name with a NUL character "
                + "(\"sub.a\\u0000b\")"), out.rejected().get(0).reason());
        assertEquals(List.of(doc("{_id: 1, ok: true}")), contents());
        PermanentWriteException e = assertThrows(PermanentWriteException.class, () -> writer.write(coll, chunk,
                WriteMode.INSERT, List.of("_id")));
        assertTrue(e.getMessage().contains("which BSON cannot store"), e.getMessage());
    }
}
