package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.testing.Await;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job with {@code "onInvalid": "skip"} copies a mongodb collection into a destination that already
 * holds a document with the same {@code email} under a unique index on {@code email}: the one source
 * document that collides can never be written, whatever is retried. What the user sees:
 * <ul>
 * <li>a copy job puts it into {@code done/ID.rejected.ndjson} at once, counts it as {@code rejected}
 *     and copies everything else, without a single retry;</li>
 * <li>the same job with {@code "follow": true} must do the same, in its snapshot and for a change of
 *     that document that arrives while it follows (issue 18, defect 1: the snapshot does set it aside,
 *     but the change is retried until {@code retry.maxAttempts} and the job fails
 *     {@code gave-up-after-retries}; without skip it must fail at once as {@code write-error}, as the
 *     copy job does);</li>
 * <li>a follow job that rejected a record in its snapshot and then applied change events counts that
 *     record as {@code rejected} when it is finished, and after a graceful stop and a new daemon it still
 *     has the record in {@code done/ID.rejected.ndjson} (issue 18, defect 2: today each applied batch
 *     drops the count, and the resumed run deletes the file).</li>
 * </ul>
 * The source server's oplog starts after the test's seed, as a real replica set's change stream opened
 * now starts now; the embedded server otherwise replays every write it ever took to a stream opened
 * without a resume point, and the follow job would apply the seed's inserts again as change events.
 */
class FollowRejectsEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int SOURCE_DOCUMENTS = 20;
    /** The source document whose email the destination's other document holds already. */
    private static final int COLLIDING = 7;

    @TempDir
    Path dir;
    private MongoServer sourceServer;
    private TestMongoServer destServer;
    private MongoClient sourceClient;
    private MongoClient destClient;
    private FerryConf conf;
    private MBeanServer mbeans;
    private DaemonFixture daemon;
    private Spooler spool;

    @BeforeEach
    void start() {
        // the source's oplog starts after the seed, as a real replica set's change stream opened now starts
        // now: the embedded server replays its whole oplog to a stream opened without a resume point
        sourceServer = new MongoServer(new MemoryBackend());
        sourceServer.bind("127.0.0.1", 0);
        String sourceUri = "mongodb://127.0.0.1:" + sourceServer.getLocalAddress().getPort();
        destServer = new TestMongoServer();
        sourceClient = MongoClients.create(sourceUri);
        destClient = MongoClients.create(destServer.uri());
        // few attempts with short backoffs: a chunk retried in vain fails the job within a second
        conf = new FerryConf(dir, destServer.uri()).set("chunk.size", "5")
                .set("retry.maxAttempts", "3").set("retry.initialBackoffMillis", "20")
                .set("retry.maxBackoffMillis", "100")
                .set("connection.src.uri", sourceUri).set("connection.src.database", "srcdb");
        spool = new Spooler(conf.spool());
        source().insertMany(IntStream.range(0, SOURCE_DOCUMENTS).mapToObj(i -> new Document("_id", i)
                .append("email", "user" + i + "@example.com").append("n", i)).toList());
        sourceServer.enableOplog();
        dest().createIndex(Indexes.ascending("email"), new IndexOptions().unique(true));
        dest().insertOne(other());
        mbeans = MBeanServerFactory.newMBeanServer();
        daemon = new DaemonFixture(conf, mbeans).start();
    }

    @AfterEach
    void stop() {
        daemon.close();
        sourceClient.close();
        destClient.close();
        sourceServer.shutdownNow();
        destServer.close();
    }

    /** The destination's own document: another _id, the email of source document {@link #COLLIDING}. */
    private static Document other() {
        return new Document("_id", "other").append("email", "user" + COLLIDING + "@example.com");
    }

    private MongoCollection<Document> source() {
        return sourceClient.getDatabase("srcdb").getCollection("people");
    }

    private MongoCollection<Document> dest() {
        return destClient.getDatabase(EndToEnd.DB).getCollection("people");
    }

    private static String job(String id, boolean follow) {
        return job(id, follow, "skip");
    }

    private static String job(String id, boolean follow, String onInvalid) {
        return "{\"id\": \"" + id + "\", \"source\": {\"type\": \"mongodb\", \"connection\": \"src\", "
                + "\"collection\": \"people\"" + (follow ? ", \"follow\": true" : "") + "}, "
                + "\"destination\": {\"connection\": \"dest\", \"collection\": \"people\"}, \"onInvalid\": \""
                + onInvalid + "\"}";
    }

    private JobMXBean jobBean(String id) {
        return JMX.newMXBeanProxy(mbeans, MBeanRegistrar.name("Job", id), JobMXBean.class);
    }

    private OrchestratorMXBean orchestrator() {
        return JMX.newMXBeanProxy(mbeans, MBeanRegistrar.name("Orchestrator"), OrchestratorMXBean.class);
    }

    private Path errorFile(String id) {
        return conf.spool().resolve("failed").resolve(id + ".error.json");
    }

    /**
     * Waits until the follow job follows, or has failed; fails with the error file if it failed.
     */
    private void awaitFollowing(String id) throws IOException {
        Await.until(WAIT, () -> Files.exists(errorFile(id)) || mbeans.isRegistered(MBeanRegistrar.name("Job", id))
                && jobBean(id).getPhase().equals("FOLLOWING"), id + " following, or failed");
        assertFalse(Files.exists(errorFile(id)), "the follow job failed instead of setting the document aside: "
                + (Files.exists(errorFile(id)) ? Files.readString(errorFile(id)) : ""));
    }

    private List<Document> destination() {
        return dest().find().sort(Sorts.ascending("email")).into(new ArrayList<>());
    }

    /** Every source document but the colliding one, and the destination's own. */
    private List<Document> expectedDestination() {
        List<Document> expected = source().find(Filters.ne("_id", COLLIDING)).into(new ArrayList<>());
        expected.add(other());
        expected.sort((a, b) -> a.getString("email").compareTo(b.getString("email")));
        return expected;
    }

    /** The snapshot's rejected record: the colliding document as the copy read it, with why. */
    private static void assertSnapshotRecord(BsonDocument line) {
        assertEquals(List.of("document", "reason", "record"), new ArrayList<>(line.keySet()), line.toJson());
        // the n-th document read: the source is read in ranges, whose documents interleave
        assertTrue(line.getNumber("document").intValue() >= 1, line.toJson());
        assertEquals(BsonDocument.parse("{\"_id\": " + COLLIDING + ", \"email\": \"user" + COLLIDING
                + "@example.com\", \"n\": " + COLLIDING + "}"), line.getDocument("record"), line.toJson());
        assertNamesTheIndex(line);
    }

    private static void assertNamesTheIndex(BsonDocument line) {
        String reason = line.getString("reason").getValue();
        assertTrue(reason.contains("duplicate key on unique index email_1"), reason);
    }

    /** The lines of {@code done/ID.rejected.ndjson}, failing with what done/ holds if it is not there. */
    private List<BsonDocument> rejectedLines(String id) {
        Path file = conf.spool().resolve("done").resolve(id + ".rejected.ndjson");
        assertTrue(Files.exists(file), "no " + file.getFileName() + " in done/, the rejected record is lost; "
                + "done/ holds " + list(conf.spool().resolve("done")));
        return EndToEnd.rejectedLines(conf.spool().resolve("done"), id);
    }

    private static List<String> list(Path folder) {
        try (var files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two changes of the source that the destination takes: an update and an insert. */
    private void changeTheSourceHarmlessly() {
        source().updateOne(Filters.eq("_id", 3), Updates.set("n", 30));
        source().insertOne(new Document("_id", 100).append("email", "user100@example.com").append("n", 100));
    }

    private void awaitHarmlessChangesApplied(String id) {
        Await.until(WAIT, () -> jobBean(id).getEventsApplied() >= 2, id + ": 2 change events applied");
        assertEquals(expectedDestination(), destination());
    }

    /** The sibling that works today: without follow, the colliding document is rejected at once. */
    @Test
    void aCopyJobSetsTheDocumentThatMeetsADuplicateOnAnotherUniqueIndexAsideAtOnce() {
        spool.drop("copy.json", job("copy", false));

        Document result = spool.awaitDone("copy", WAIT);
        assertEquals((long) SOURCE_DOCUMENTS, number(result, "documentsRead"), result.toJson());
        assertEquals(1L, number(result, "rejected"), result.toJson());
        assertEquals(0L, number(result, "retries"), "a permanent rejection is not retried: " + result.toJson());
        EndToEnd.assertAddsUp(result);
        List<BsonDocument> lines = rejectedLines("copy");
        assertEquals(1, lines.size(), lines.toString());
        assertSnapshotRecord(lines.get(0));
        assertEquals(expectedDestination(), destination());
    }

    /**
     * Defect 1. The follow job's snapshot sets the colliding document aside as the copy job does; then
     * the source changes that document (a real server's change stream delivers the update with the whole
     * document, and the embedded one replays even the seed's inserts). That change meets the same
     * duplicate: it is as permanent as in the snapshot, so it is set aside too, not retried until the job
     * gives up, and the job follows on.
     */
    @Test
    void aFollowJobSetsAsideAChangeThatMeetsADuplicateOnAnotherUniqueIndexInsteadOfRetryingIt() throws Exception {
        spool.drop("follow.json", job("follow", true));
        awaitFollowing("follow");
        assertEquals(expectedDestination(), destination(), "the snapshot set the colliding document aside");

        source().updateOne(Filters.eq("_id", COLLIDING), Updates.set("n", 70));
        changeTheSourceHarmlessly(); // after the colliding change in the stream: seen once it was tried
        Await.until(WAIT, () -> dest().find(Filters.eq("_id", 100)).first() != null, "the insert after it applied");
        orchestrator().finish("follow");

        Document result = spool.awaitDone("follow", WAIT); // today: failed/, gave-up-after-retries
        assertEquals(0L, number(result, "retries"), "a permanent rejection is not retried: " + result.toJson());
        assertEquals((long) SOURCE_DOCUMENTS, number(result, "documentsRead"), result.toJson());
        List<BsonDocument> lines = rejectedLines("follow");
        assertSnapshotRecord(lines.get(0));
        assertEquals(2, lines.size(), "the snapshot's document and the changed one: " + lines);
        assertEquals(COLLIDING, lines.get(1).getDocument("record").getInt32("_id").getValue(), lines.toString());
        assertEquals(70, lines.get(1).getDocument("record").getInt32("n").getValue(), lines.toString());
        assertNamesTheIndex(lines.get(1));
        assertEquals(expectedDestination(), destination());
    }

    /**
     * Defect 2 without a restart: the snapshot rejected one record, then batches of change events were
     * applied; the result still counts the record beside its line in {@code done/ID.rejected.ndjson}.
     */
    @Test
    void aFollowJobFinishedAfterApplyingEventsCountsWhatItsSnapshotRejected() throws Exception {
        spool.drop("counted.json", job("counted", true));
        awaitFollowing("counted");
        changeTheSourceHarmlessly();
        awaitHarmlessChangesApplied("counted");
        assertEquals("counted: finishing; it applies the changes that have arrived, then moves to done/",
                orchestrator().finish("counted").getMessage());

        Document result = spool.awaitDone("counted", WAIT);
        List<BsonDocument> lines = rejectedLines("counted");
        assertEquals(1, lines.size(), lines.toString());
        assertSnapshotRecord(lines.get(0));
        assertEquals(1L, number(result, "rejected"), "the record in rejected.ndjson is counted: " + result.toJson());
        assertEquals((long) SOURCE_DOCUMENTS, number(result, "documentsRead"), result.toJson());
        assertTrue(number(result, "eventsApplied") >= 2, result.toJson());
        assertEquals(expectedDestination(), destination());
    }

    /**
     * Defect 2 across a restart: the snapshot rejected one record, change events were applied, the daemon
     * stopped gracefully (the job stays in active/) and a new daemon resumed the job; finished, it has
     * the record in {@code done/ID.rejected.ndjson} and counts it.
     */
    @Test
    void aFollowJobRestartedAfterApplyingEventsKeepsWhatItsSnapshotRejected() throws Exception {
        spool.drop("kept.json", job("kept", true));
        awaitFollowing("kept");
        changeTheSourceHarmlessly();
        awaitHarmlessChangesApplied("kept");
        daemon.stop();
        assertTrue(Files.exists(conf.spool().resolve("active").resolve("kept.json")), "stays in active/");
        assertTrue(Files.exists(conf.spool().resolve("active").resolve(".kept.rejected.ndjson")),
                "the snapshot's rejected record is on disk while the job is stopped");

        source().updateOne(Filters.eq("_id", 4), Updates.set("n", 40)); // while stopped
        daemon = new DaemonFixture(conf, mbeans = MBeanServerFactory.newMBeanServer()).start();
        awaitFollowing("kept");
        Await.until(WAIT, () -> expectedDestination().equals(destination()), "the change made while stopped applied");
        assertEquals("kept: finishing; it applies the changes that have arrived, then moves to done/",
                orchestrator().finish("kept").getMessage());

        Document result = spool.awaitDone("kept", WAIT);
        List<BsonDocument> lines = rejectedLines("kept");
        assertEquals(1, lines.size(), lines.toString());
        assertSnapshotRecord(lines.get(0));
        assertEquals(1L, number(result, "rejected"), "the record in rejected.ndjson is counted: " + result.toJson());
        assertEquals((long) SOURCE_DOCUMENTS, number(result, "documentsRead"), result.toJson());
        assertEquals(expectedDestination(), destination());
    }

    /** The sibling that works today: without skip, the copy job fails at once, naming the index. */
    @Test
    void aCopyJobThatMustNotSkipFailsAtOnceOnADuplicateOnAnotherUniqueIndex() {
        spool.drop("strict.json", job("strict", false, "fail"));

        Document error = spool.awaitFailed("strict", WAIT);
        assertEquals("write-error", error.getString("kind"), error.toJson());
        assertEquals(1L, number(error, "attempts"), "not retried: " + error.toJson());
        assertTrue(number(error, "chunk") >= 1, "the chunk that held it (ranges interleave: any of them): " + error.toJson());
        assertTrue(error.getString("message").contains("user" + COLLIDING + "@example.com"), error.toJson());
        assertTrue(error.getString("message").contains("duplicate key on unique index email_1"), error.toJson());
    }

    /**
     * Defect 1 without skip: a follow job whose change meets a duplicate on another unique index fails at
     * once as the copy job does ({@code write-error}, 1 attempt), instead of retrying it until it gives up.
     */
    @Test
    void aFollowJobThatMustNotSkipFailsAtOnceWhenAChangeMeetsADuplicateOnAnotherUniqueIndex() throws Exception {
        // nothing collides in the snapshot: the destination's own document has an email no source document has
        dest().deleteOne(Filters.eq("_id", "other"));
        dest().insertOne(new Document("_id", "other").append("email", "taken@example.com"));
        spool.drop("strict.json", job("strict", true, "fail"));
        awaitFollowing("strict");

        source().updateOne(Filters.eq("_id", 3), Updates.set("email", "taken@example.com"));
        Document error = spool.awaitFailed("strict", WAIT);
        assertEquals("write-error", error.getString("kind"), "a permanent rejection fails at once: " + error.toJson());
        assertEquals(1L, number(error, "attempts"), "not retried: " + error.toJson());
        assertTrue(error.getString("message").contains("email_1"), error.toJson());
        assertEquals(1L, dest().countDocuments(Filters.eq("email", "taken@example.com")));
    }
}
