package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.queue.JobClaim;
import dev.ferry.testing.Await;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's life from its claimed file to done/, failed/ or left in active/, in the test's JVM against
 * the embedded server: parse, ledger, the copy loop, a follow job's start point, snapshot and follow
 * loop, and the outcome as the spool shows it.
 */
class JobTaskTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private TestMongoServer server;
    private MongoClient client;
    private JobWorld world;
    private final List<String> seen = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new TestMongoServer();
        client = MongoClients.create(server.uri());
        for (int i = 1; i <= 3; i++) {
            collection("srcdb", "people").insertOne(new Document("_id", i).append("name", "p" + i));
        }
        server.enableOplog(); // a replica set's oplog starts after the seed; the embedded one would replay it
        world = new JobWorld(conf());
    }

    private FerryConf conf() {
        return new FerryConf(dir, server.uri()).set("chunk.size", "2")
                .set("connection.src.uri", server.uri()).set("connection.src.database", "srcdb");
    }

    @AfterEach
    void stop() {
        world.close();
        client.close();
        server.close();
    }

    private MongoCollection<Document> collection(String db, String name) {
        return client.getDatabase(db).getCollection(name);
    }

    private void run(JobClaim claim) {
        world.task.run(claim, job -> seen.add("start " + job.id()), job -> seen.add("end " + job.id() + " "
                + job.getState()));
    }

    private Document file(Path path) throws Exception {
        return Document.parse(Files.readString(path));
    }

    @Test
    void anInlineJobRunsChunkByChunkIntoDoneAndItsBeanIsGoneAfterwards() throws Exception {
        run(world.claim("inline", "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1}, {\"_id\": 2},"
                + " {\"_id\": 3}]}, \"destination\": {\"connection\": \"dest\", \"collection\": \"c\"}}"));

        Document result = file(world.spool.done().resolve("inline.result.json"));
        assertEquals(3L, ((Number) result.get("documentsRead")).longValue());
        assertEquals(2L, ((Number) result.get("chunks")).longValue());
        assertEquals(3, collection("ferrytest", "c").countDocuments());
        assertEquals(List.of("start inline", "end inline RUNNING"), seen);
        assertFalse(world.mbeanServer.isRegistered(MBeanRegistrar.name("Job", "inline")));
        assertTrue(world.store.load("inline").isEmpty(), "no checkpoint is left behind");
        assertEquals(1, world.totals.completedJobs.sum());
    }

    @Test
    void aFileThatIsNoJobGoesToFailedWithoutEverStarting() throws Exception {
        run(world.claim("broken", "{\"source\": "));
        Document error = file(world.spool.failed().resolve("broken.error.json"));
        assertEquals("invalid-job", error.getString("kind"));
        assertTrue(seen.isEmpty(), "no job ran: " + seen);
    }

    @Test
    void aDocumentWithoutItsKeyFailsTheJobWithAWriteError() throws Exception {
        Path data = Files.writeString(dir.resolve("data").resolve("k.ndjson"),
                "{\"_id\": 1, \"email\": \"a\"}\n{\"_id\": 2, \"email\": \"b\"}\n{\"_id\": 3}\n");
        run(world.claim("keyless", "{\"source\": {\"type\": \"file\", \"path\": \"" + data + "\", \"format\": \"ndjson\"},"
                + " \"destination\": {\"connection\": \"dest\", \"collection\": \"k\"}, \"key\": [\"email\"]}"));
        Document error = file(world.spool.failed().resolve("keyless.error.json"));
        assertEquals("write-error", error.getString("kind"));
        assertEquals(2L, ((Number) error.get("chunk")).longValue(), "chunks of 2: the third line is in the second");
        assertTrue(error.getString("message").contains("email"), error.getString("message"));
    }

    @Test
    void aJobStoppedByShutdownStaysInActiveWithoutAnOutcome() throws Exception {
        world.gate.stop();
        run(world.claim("stopped", "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1}]},"
                + " \"destination\": {\"connection\": \"dest\", \"collection\": \"s\"}}"));
        assertTrue(Files.exists(world.spool.active().resolve("stopped.json")));
        assertFalse(Files.exists(world.spool.failed().resolve("stopped.error.json")));
        assertFalse(Files.exists(world.spool.done().resolve("stopped.result.json")));
        assertEquals(0, collection("ferrytest", "s").countDocuments());
    }

    @Test
    void aFollowJobRecordsItsStartCopiesItsSnapshotAppliesChangesAndEndsOnFinish() throws Exception {
        MongoCollection<Document> people = collection("srcdb", "people");
        JobClaim claim = world.claim("f", "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\","
                + " \"collection\": \"people\", \"follow\": true}, \"destination\": {\"connection\": \"dest\","
                + " \"collection\": \"people\"}}");
        List<RunningJob> jobs = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            Future<?> running = worker.submit(() -> world.task.run(claim, jobs::add, job -> ended.countDown()));
            Await.until(WAIT, () -> !jobs.isEmpty() && "FOLLOWING".equals(jobs.get(0).getState()), "following");
            running.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(1, ended.getCount(), "the worker is free while the job follows on its own thread");
            RunningJob job = jobs.get(0);
            assertEquals(3, collection("ferrytest", "people").countDocuments(), "the snapshot was copied");

            people.insertOne(new Document("_id", 4).append("name", "p4"));
            people.deleteOne(new Document("_id", 1));
            Await.until(WAIT, () -> job.getEventsApplied() >= 2, "2 events applied");
            assertTrue(job.requestFinish());
            world.gate.signal();
            assertTrue(ended.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the job ended on finish");
        } finally {
            worker.shutdownNow();
        }

        Document result = file(world.spool.done().resolve("f.result.json"));
        assertEquals(3L, ((Number) result.get("documentsRead")).longValue());
        assertEquals(2L, ((Number) result.get("eventsApplied")).longValue());
        assertEquals(1L, ((Number) result.get("deleted")).longValue());
        List<Object> ids = collection("ferrytest", "people").find().map(d -> d.get("_id")).into(new ArrayList<>());
        assertEquals(List.of(2, 3, 4), ids.stream().sorted().toList());
    }

    @Test
    void aMongodbCopyInRangesAndOneWhoseServerCannotSampleBothEndEqualToTheSource() throws Exception {
        List<Document> items = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            items.add(new Document("_id", i % 2 == 0 ? (Object) i : "item-" + i).append("n", i));
        }
        collection("srcdb", "items").insertMany(items);
        String job = "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\", \"collection\": \"items\"},"
                + " \"destination\": {\"connection\": \"dest\", \"collection\": \"%s\"}, \"chunkSize\": 7, \"lanes\": 6}";
        run(world.claim("ranges", job.formatted("ranged")));
        server.refuseSample();
        run(world.claim("one-cursor", job.formatted("single")));
        for (String copy : List.of("ranged", "single")) {
            assertEquals(items, collection("ferrytest", copy).find().sort(new Document("n", 1)).into(new ArrayList<>()),
                    copy);
        }
        for (String id : List.of("ranges", "one-cursor")) {
            assertEquals(300L, ((Number) file(world.spool.done().resolve(id + ".result.json")).get("documentsRead"))
                    .longValue(), id);
        }
    }

    @Test
    void aFollowJobThatVerifiesComparesWhenItIsFinishedAndIsDoneWithItsCounts() throws Exception {
        JobClaim claim = world.claim("fv", "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\","
                + " \"collection\": \"people\", \"follow\": true}, \"destination\": {\"connection\": \"dest\","
                + " \"collection\": \"people\"}, \"verify\": true}");
        List<RunningJob> jobs = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            worker.submit(() -> world.task.run(claim, jobs::add, job -> ended.countDown()));
            Await.until(WAIT, () -> !jobs.isEmpty() && "FOLLOWING".equals(jobs.get(0).getPhase()), "following");
            RunningJob job = jobs.get(0);
            assertEquals("PENDING", job.getVerified(), "it compares when finished");
            collection("srcdb", "people").insertOne(new Document("_id", 4).append("name", "p4"));
            Await.until(WAIT, () -> job.getEventsApplied() >= 1, "the insert applied");
            assertTrue(job.requestFinish());
            world.gate.signal();
            assertTrue(ended.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the job ended");
        } finally {
            worker.shutdownNow();
        }
        Document verify = (Document) file(world.spool.done().resolve("fv.result.json")).get("verify");
        assertEquals(4L, ((Number) verify.get("compared")).longValue(), verify.toJson());
        assertEquals(4L, ((Number) verify.get("equal")).longValue());
        assertEquals(0L, ((Number) verify.get("extra")).longValue());
    }

    @Test
    void aDeleteJobDeletesTheDocumentsItsRecordsNameAndARerunDeletesNothingMore() throws Exception {
        MongoCollection<Document> people = collection("ferrytest", "gone");
        for (int i = 1; i <= 10; i++) {
            people.insertOne(new Document("_id", i).append("email", "e" + i));
        }
        Path ids = Files.writeString(dir.resolve("data").resolve("ids.ndjson"),
                "{\"_id\": 2}\n{\"_id\": 5, \"ignored\": true}\n{\"_id\": 99}\n{\"_id\": 5}\n");
        String job = "{\"source\": {\"type\": \"file\", \"path\": \"" + ids + "\", \"format\": \"ndjson\"},"
                + " \"destination\": {\"connection\": \"dest\", \"collection\": \"gone\"}, \"mode\": \"delete\"}";
        run(world.claim("delete", job));
        Document result = file(world.spool.done().resolve("delete.result.json"));
        assertEquals("delete", result.getString("mode"));
        assertEquals(2L, ((Number) result.get("deleted")).longValue(), result.toJson());
        assertEquals(4L, ((Number) result.get("documentsRead")).longValue());
        List<Object> left = people.find().map(d -> d.get("_id")).into(new ArrayList<>());
        assertEquals(List.of(1, 3, 4, 6, 7, 8, 9, 10), left.stream().sorted().toList());

        run(world.claim("again", job));
        assertEquals(0L, ((Number) file(world.spool.done().resolve("again.result.json")).get("deleted")).longValue(),
                "idempotent: nothing more to delete");

        Path emails = Files.writeString(dir.resolve("data").resolve("emails.ndjson"), "{\"email\": \"e3\"}\n");
        run(world.claim("by-email", "{\"source\": {\"type\": \"file\", \"path\": \"" + emails + "\", \"format\":"
                + " \"ndjson\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"gone\"}, \"mode\":"
                + " \"delete\", \"key\": [\"email\"]}"));
        assertEquals(7, people.countDocuments(), "deleted by its email");
        assertEquals(0, people.countDocuments(new Document("email", "e3")));
    }

    private static final String FOLLOW_JOB = "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\","
            + " \"collection\": \"people\", \"follow\": true}, \"destination\": {\"connection\": \"dest\","
            + " \"collection\": \"people\"}}";

    /** Runs a job on a worker thread until it shows {@code state}; its end counts down {@code ended}. */
    private RunningJob runUntil(JobWorld in, JobClaim claim, String state, ExecutorService worker,
                                List<java.util.concurrent.CountDownLatch> ends) {
        List<RunningJob> jobs = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        ends.add(ended);
        worker.submit(() -> in.task.run(claim, jobs::add, job -> ended.countDown()));
        Await.until(WAIT, () -> !jobs.isEmpty() && state.equals(jobs.get(0).getState()), state);
        return jobs.get(0);
    }

    @Test
    void aFollowJobStoppedWhileFollowingResumesFromItsTokenWithoutCopyingItsSnapshotAgain() throws Exception {
        MongoCollection<Document> people = collection("srcdb", "people");
        ExecutorService worker = Executors.newSingleThreadExecutor();
        List<java.util.concurrent.CountDownLatch> ends = new ArrayList<>();
        try {
            runUntil(world, world.claim("f", FOLLOW_JOB), "FOLLOWING", worker, ends);
            world.gate.stop(); // the daemon stops: the job stays in active/ with its token
            assertTrue(ends.get(0).await(WAIT.toSeconds(), TimeUnit.SECONDS));
            world.close();
            assertTrue(Files.exists(world.spool.active().resolve("f.json")));

            people.insertOne(new Document("_id", 5).append("name", "while stopped"));
            world = new JobWorld(conf());
            RunningJob job = runUntil(world, world.adopt("f"), "FOLLOWING", worker, ends);
            Await.until(WAIT, () -> job.getEventsApplied() >= 1, "the change made while stopped applied");
            assertEquals(3, job.getDocumentsWritten(), "the snapshot is not copied again");
            job.requestFinish();
            world.gate.signal();
            assertTrue(ends.get(1).await(WAIT.toSeconds(), TimeUnit.SECONDS));
        } finally {
            worker.shutdownNow();
        }
        Document result = file(world.spool.done().resolve("f.result.json"));
        assertEquals(3L, ((Number) result.get("documentsRead")).longValue());
        assertEquals(1L, ((Number) result.get("eventsApplied")).longValue());
        assertEquals(4, collection("ferrytest", "people").countDocuments());
    }
}
