package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.testing.Await;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Follow jobs in a daemon inside the test JVM, source and destination on two servers (the source with
 * its oplog on): the snapshot, then every kind of change applied, finish, filters, a dropped source,
 * and a graceful stop while following.
 */
class FollowEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private TestMongoServer sourceServer;
    private TestMongoServer destServer;
    private MongoClient sourceClient;
    private MongoClient destClient;
    private FerryConf conf;
    private MBeanServer mbeans;
    private DaemonFixture daemon;
    private Spooler spool;

    @BeforeEach
    void start() {
        sourceServer = TestMongoServer.withOplog();
        destServer = new TestMongoServer();
        sourceClient = MongoClients.create(sourceServer.uri());
        destClient = MongoClients.create(destServer.uri());
        conf = new FerryConf(dir, destServer.uri()).set("chunk.size", "10")
                .set("connection.src.uri", sourceServer.uri()).set("connection.src.database", "srcdb");
        spool = new Spooler(conf.spool());
        mbeans = MBeanServerFactory.newMBeanServer();
        daemon = new DaemonFixture(conf, mbeans).start();
    }

    @AfterEach
    void stop() {
        daemon.close();
        sourceClient.close();
        destClient.close();
        sourceServer.close();
        destServer.close();
    }

    private MongoCollection<Document> source() {
        return sourceClient.getDatabase("srcdb").getCollection("people");
    }

    private MongoCollection<Document> dest(String name) {
        return destClient.getDatabase(EndToEnd.DB).getCollection(name);
    }

    private static String followJob(String id, String collection, String filter) {
        return "{\"id\": \"" + id + "\", \"source\": {\"type\": \"mongodb\", \"connection\": \"src\", "
                + "\"collection\": \"people\"" + (filter == null ? "" : ", \"filter\": " + filter)
                + ", \"follow\": true}, \"destination\": {\"connection\": \"dest\", \"collection\": \"" + collection
                + "\"}}";
    }

    private JobMXBean job(String id) {
        return JMX.newMXBeanProxy(mbeans, MBeanRegistrar.name("Job", id), JobMXBean.class);
    }

    private OrchestratorMXBean orchestrator() {
        return JMX.newMXBeanProxy(mbeans, MBeanRegistrar.name("Orchestrator"), OrchestratorMXBean.class);
    }

    private void awaitPhase(String id, String phase) {
        Await.until(WAIT, () -> mbeans.isRegistered(MBeanRegistrar.name("Job", id))
                && job(id).getPhase().equals(phase), id + " in phase " + phase);
    }

    private static List<Document> all(MongoCollection<Document> c) {
        return c.find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
    }

    private void awaitEqual(MongoCollection<Document> expected, MongoCollection<Document> actual) {
        Await.until(WAIT, () -> all(expected).equals(all(actual)), "destination equal to " + all(expected));
    }

    private void seed(int n) {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new Document("_id", i).append("n", i).append("group", i % 2 == 0 ? "even" : "odd"));
        }
        source().insertMany(docs);
    }

    @Test
    void theSnapshotIsCopiedThenEveryChangeIsAppliedUntilFinish() {
        seed(100);
        spool.drop("f.json", followJob("f", "people", null));
        awaitPhase("f", "FOLLOWING");
        assertEquals("FOLLOWING", job("f").getState());
        awaitEqual(source(), dest("people"));

        source().insertOne(new Document("_id", -1).append("n", -1)); // below the snapshot's position
        source().updateOne(Filters.eq("_id", 5), Updates.set("n", 500));
        source().replaceOne(Filters.eq("_id", 6), new Document("_id", 6).append("replaced", true));
        source().deleteOne(Filters.eq("_id", 7));
        source().insertOne(new Document("_id", 1000).append("n", 1000));
        source().updateOne(Filters.eq("_id", 1000), Updates.set("n", 1001));
        awaitEqual(source(), dest("people"));
        Await.until(WAIT, () -> job("f").getEventsApplied() >= 6, "6 events applied");
        Await.until(WAIT, () -> job("f").getLagMillis() == 0, "caught up");
        assertTrue(!job("f").getLastEventAt().isEmpty());

        String answer = orchestrator().finish("f").getMessage();
        assertTrue(answer.startsWith("f: finishing"), answer);
        Document result = spool.awaitDone("f", WAIT);
        assertEquals(100L, ((Number) result.get("documentsRead")).longValue(), result.toJson());
        assertTrue(((Number) result.get("eventsApplied")).longValue() >= 6, result.toJson());
        assertEquals(1L, ((Number) result.get("deleted")).longValue(), result.toJson());
        assertEquals(0L, ((Number) result.get("inserted")).longValue(), result.toJson());
        assertTrue(((Number) result.get("upserted")).longValue() >= 102, result.toJson());
        assertTrue(Files.notExists(conf.state().resolve("checkpoints").resolve("f.checkpoint.json")));
        assertEquals(all(source()), all(dest("people")));
    }

    @Test
    void aDocumentThatLeavesTheFilterIsDeletedAndOneThatEntersItIsCopied() {
        seed(20);
        spool.drop("even.json", followJob("even", "evens", "{\"group\": \"even\"}"));
        awaitPhase("even", "FOLLOWING");
        Await.until(WAIT, () -> dest("evens").countDocuments() == 10, "10 even documents copied");

        source().updateOne(Filters.eq("_id", 2), Updates.set("group", "odd"));   // leaves
        source().updateOne(Filters.eq("_id", 3), Updates.set("group", "even"));  // enters
        source().insertOne(new Document("_id", 100).append("group", "odd"));       // never in
        source().insertOne(new Document("_id", 102).append("group", "even"));      // in
        Await.until(WAIT, () -> dest("evens").find(Filters.eq("_id", 102)).first() != null, "102 copied");
        Await.until(WAIT, () -> dest("evens").find(Filters.eq("_id", 2)).first() == null, "2 deleted");
        assertEquals(all(source().find(Filters.eq("group", "even")).sort(Sorts.ascending("_id"))),
                all(dest("evens")));
    }

    private static List<Document> all(Iterable<Document> it) {
        List<Document> out = new ArrayList<>();
        it.forEach(out::add);
        return out;
    }

    @Test
    void aDroppedSourceFailsTheJobWithSourceError() {
        seed(5);
        spool.drop("gone.json", followJob("gone", "gone", null));
        awaitPhase("gone", "FOLLOWING");
        source().drop();
        Document error = spool.awaitFailed("gone", WAIT);
        assertEquals("source-error", error.getString("kind"), error.toJson());
        assertTrue(error.getString("message").contains("dropped"), error.toJson());
    }

    @Test
    void aGracefulStopWhileFollowingLosesNoChangeMadeWhileStopped() {
        seed(30);
        spool.drop("g.json", followJob("g", "people", null));
        awaitPhase("g", "FOLLOWING");
        awaitEqual(source(), dest("people"));
        daemon.stop();
        assertTrue(Files.exists(conf.spool().resolve("active").resolve("g.json")), "stays in active/");

        source().deleteOne(Filters.eq("_id", 1));
        source().updateOne(Filters.eq("_id", 2), Updates.set("n", 222));
        source().insertOne(new Document("_id", 31).append("n", 31));
        daemon = new DaemonFixture(conf, mbeans = MBeanServerFactory.newMBeanServer()).start();
        awaitPhase("g", "FOLLOWING");
        awaitEqual(source(), dest("people"));
        assertEquals("g: finishing; it applies the changes that have arrived, then moves to done/",
                orchestrator().finish("g").getMessage());
        Document result = spool.awaitDone("g", WAIT);
        assertEquals(1L, ((Number) result.get("deleted")).longValue(), result.toJson());
    }

    @Test
    void aRestartAfterTheSourceLostTheHistoryOfTheSavedTokenFailsTheJobWithResumeLost() {
        seed(10);
        spool.drop("lost.json", followJob("lost", "people", null));
        awaitPhase("lost", "FOLLOWING");
        source().insertOne(new Document("_id", 50).append("n", 50));
        awaitEqual(source(), dest("people"));
        Await.until(WAIT, () -> job("lost").getEventsApplied() >= 1, "the insert applied and its token saved");
        daemon.stop();

        sourceServer.loseHistory();
        daemon = new DaemonFixture(conf, mbeans = MBeanServerFactory.newMBeanServer()).start();
        Document error = spool.awaitFailed("lost", WAIT);
        assertEquals("resume-lost", error.getString("kind"), error.toJson());
        assertTrue(error.getString("message").contains("no longer has the change history to resume from"),
                error.toJson());
        assertTrue(error.getString("message").contains("Resubmit the job"), error.toJson());
        assertTrue(error.getString("message").contains("error 286: Resume of change stream was not possible"),
                "the server's words, not the driver's dump of its reply: " + error.toJson());
        assertEquals(1L, ((Number) error.get("attempts")).longValue(), "failed at once, not retried: " + error.toJson());
    }

    @Test
    void withResnapshotALostResumePointCopiesAFreshSnapshotDeletesWhatIsGoneAndFollowsOn() {
        seed(10);
        spool.drop("again.json", followJob("again", "people", null).replaceFirst("\\}$",
                ", \"onResumeLost\": \"resnapshot\"}"));
        awaitPhase("again", "FOLLOWING");
        source().insertOne(new Document("_id", 50).append("n", 50));
        awaitEqual(source(), dest("people"));
        Await.until(WAIT, () -> job("again").getEventsApplied() >= 1, "the insert applied and its token saved");
        daemon.stop();

        // while ferry is down: changes of every kind, and the oplog rolls past the saved token
        source().deleteOne(Filters.eq("_id", 1));
        source().updateOne(Filters.eq("_id", 2), Updates.set("n", 222));
        source().insertOne(new Document("_id", 31).append("n", 31));
        sourceServer.loseHistoryOnce();
        daemon = new DaemonFixture(conf, mbeans = MBeanServerFactory.newMBeanServer()).start();
        awaitEqual(source(), dest("people"));
        awaitPhase("again", "FOLLOWING");
        source().insertOne(new Document("_id", 32).append("n", 32));
        awaitEqual(source(), dest("people"));
        orchestrator().finish("again");
        Document result = spool.awaitDone("again", WAIT);
        assertEquals(1L, ((Number) result.get("resnapshots")).longValue(), result.toJson());
    }

    @Test
    void aResetThatReopensTheStreamWhereTheHistoryIsGoneFailsTheJobWithResumeLost() {
        seed(10);
        spool.drop("reset.json", followJob("reset", "people", null));
        awaitPhase("reset", "FOLLOWING");
        awaitEqual(source(), dest("people"));

        sourceServer.loseHistory();
        JMX.newMXBeanProxy(mbeans, MBeanRegistrar.name("Pool", "src"), dev.ferry.pool.PoolMXBean.class).reset();
        Document error = spool.awaitFailed("reset", WAIT);
        assertEquals("resume-lost", error.getString("kind"), error.toJson());
        assertEquals(10L, dest("people").countDocuments(), "what was copied stays");
    }

    @Test
    void aSourceThatServesNoChangeStreamsFailsTheJobAtOnceSayingWhatToRun() {
        try (TestMongoServer standalone = TestMongoServer.standalone();
             MongoClient client = MongoClients.create(standalone.uri())) {
            client.getDatabase("srcdb").getCollection("people").insertOne(new Document("_id", 1));
            daemon.close();
            conf.set("connection.src.uri", standalone.uri());
            daemon = new DaemonFixture(conf, mbeans = MBeanServerFactory.newMBeanServer()).start();
            spool.drop("solo.json", followJob("solo", "people", null));
            Document error = spool.awaitFailed("solo", WAIT);
            assertEquals("source-error", error.getString("kind"), error.toJson());
            String message = error.getString("message");
            assertTrue(message.contains("does not serve change streams (error 40573: The $changeStream stage is only "
                    + "supported on replica sets)"), message);
            assertTrue(message.contains("single-node replica set will do"), message);
            assertEquals(1L, ((Number) error.get("attempts")).longValue(), "not retried: " + error.toJson());
        }
    }

    @Test
    void finishOfACopyJobOrAnUnknownJobSaysNo() {
        assertEquals("no running job with id nope", orchestrator().finish("nope").getMessage());
        assertEquals("NOT_FOUND", orchestrator().finish("nope").getOutcome());
    }
}
