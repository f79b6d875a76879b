package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.queue.JobClaim;
import dev.ferry.testing.Await;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * {@code ferry ctl verify ID} on a following job ({@link Orchestrator#verify}, here through
 * {@link JobTask#verifyBeside}): with a mutator changing the source while the comparison reads, it
 * reports no difference once the job caught up (what lagged was looked at again), and it keeps
 * following throughout; a document deleted from the destination by hand is reported missing, by key.
 */
class FollowVerifyEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private TestMongoServer server;
    private MongoClient client;
    private JobWorld world;

    @BeforeEach
    void start() throws Exception {
        server = new TestMongoServer();
        client = MongoClients.create(server.uri());
        List<Document> people = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            people.add(new Document("_id", i).append("name", "p" + i).append("visits", 0));
        }
        source().insertMany(people);
        server.enableOplog(); // a replica set's oplog starts after the seed; the embedded one would replay it
        world = new JobWorld(new FerryConf(dir, server.uri()).set("chunk.size", "50")
                .set("connection.src.uri", server.uri()).set("connection.src.database", "srcdb"));
    }

    @AfterEach
    void stop() {
        world.close();
        client.close();
        server.close();
    }

    private MongoCollection<Document> source() {
        return client.getDatabase("srcdb").getCollection("people");
    }

    @Test
    void aComparisonBesideFollowingIgnoresLagAndFindsWhatTheDestinationLost() throws Exception {
        JobClaim claim = world.claim("f", "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\","
                + " \"collection\": \"people\", \"follow\": true}, \"destination\": {\"connection\": \"dest\","
                + " \"collection\": \"people\"}, \"lanes\": 4}");
        List<RunningJob> jobs = new CopyOnWriteArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            threads.submit(() -> world.task.run(claim, jobs::add, job -> { }));
            Await.until(WAIT, () -> !jobs.isEmpty() && "FOLLOWING".equals(jobs.get(0).getPhase()), "following");
            RunningJob job = jobs.get(0);
            assertEquals(Optional.empty(), FollowVerify.refusal(job), job.getPhase());

            // a mutator keeps changing the source while the comparison reads it
            Future<Integer> mutator = threads.submit(() -> {
                Random random = new Random(5);
                int n = 0;
                for (; n < 1_500; n++) {
                    int id = random.nextInt(700);
                    if (id < 600) {
                        source().updateOne(new Document("_id", id), new Document("$inc", new Document("visits", 1)));
                    } else {
                        source().replaceOne(new Document("_id", id), new Document("name", "new" + id),
                                new com.mongodb.client.model.ReplaceOptions().upsert(true));
                    }
                }
                return n;
            });
            assertEquals(Optional.empty(), world.task.verifyBeside(job));
            assertTrue(world.task.verifyBeside(job).isPresent(), "one comparison at a time");
            assertEquals(1_500, mutator.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            Await.until(WAIT, () -> job.getVerified().startsWith("EQUAL") || job.getVerified().startsWith("DIFFERENT"),
                    "the comparison's outcome");
            assertTrue(job.getVerified().startsWith("EQUAL"), job.getVerified());
            assertEquals("FOLLOWING", job.getState(), "it followed throughout");
            assertFalse(Files.exists(world.spool.active().resolve("f.verify.ndjson")));

            // once every change is applied (a late update of 42 would bring it back), 42 is lost by hand
            assertTrue(job.awaitCaughtUpAfter(System.currentTimeMillis(), WAIT), "caught up");
            client.getDatabase("ferrytest").getCollection("people").deleteOne(new Document("_id", 42));
            Await.until(WAIT, () -> world.task.verifyBeside(job).isEmpty(), "a second comparison to start");
            Await.until(WAIT, () -> job.getVerified().startsWith("EQUAL") || job.getVerified().startsWith("DIFFERENT"),
                    "the second comparison's outcome");
            assertTrue(job.getVerified().startsWith("DIFFERENT") && job.getVerified().contains("1 missing"),
                    job.getVerified());
            assertEquals(List.of("{\"key\": {\"_id\": 42}, \"kind\": \"missing\"}"),
                    Files.readAllLines(world.spool.active().resolve("f.verify.ndjson")));
            assertTrue(job.requestFinish());
            world.gate.signal();
        } finally {
            threads.shutdown();
            assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS), "the job ended on finish");
        }
    }
}
