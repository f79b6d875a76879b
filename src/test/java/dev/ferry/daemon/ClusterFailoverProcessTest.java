package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import dev.ferry.testing.Await;
import dev.ferry.testing.Exactness;
import dev.ferry.testing.SourceMutator;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, follow jobs fail over (docs/cluster.md, "Follow jobs fail over"): two members, a follow job claimed by a
 * with a mutator running; a is killed with SIGKILL; b takes the job over within the lease and a round and the
 * destination converges on the source; finish on b ends the job, and its result reaches a's done/ when a is back.
 */
class ClusterFailoverProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int LEASE_SECONDS = 3;

    private static final String FOLLOW_JOB = "{\"id\": \"live\", \"source\": {\"type\": \"mongodb\", \"connection\": "
            + "\"src\", \"collection\": \"items\", \"follow\": true}, \"destination\": {\"connection\": \"dest\", "
            + "\"collection\": \"items\"}}";

    /** Documents {@code 0..n-1} with {@code k} = {@code _id}, as {@link Exactness} compares them. */
    private static void seed(MongoCollection<Document> source, int n) {
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(new Document("_id", i).append("k", i).append("v", 0));
            if (batch.size() == 5_000 || i == n - 1) {
                source.insertMany(batch);
                batch.clear();
            }
        }
    }

    /** Until {@code member} holds the follow job's lease and its checkpoint there says it follows. */
    private static void awaitFollowingOn(String member, MongoCollection<Document> leases) {
        Await.until(WAIT, () -> {
            Document lease = leases.find(Filters.eq("_id", "ferry:job/live")).first();
            return lease != null && member.equals(lease.getString("owner")) && lease.toJson().contains("\"FOLLOWING\"");
        }, member + " follows, its checkpoint in the store");
    }

    private static FerryConf conf(Path dir, String member, TestMongoServer source, TestMongoServer dest) {
        return new FerryConf(dir.resolve(member), dest.uri())
                .set("connection.src.uri", source.uri()).set("connection.src.database", "srcdb")
                .set("connection.coord.uri", dest.uri()).set("connection.coord.database", "ferrycluster")
                .set("cluster.connection", "coord").set("cluster.member", member)
                .set("cluster.leaseSeconds", Integer.toString(LEASE_SECONDS));
    }

    @Test
    void aFollowJobGoesOnOnTheOtherMemberWhenItsOwnerIsKilled(@TempDir Path dir) throws Exception {
        try (TestMongoServer sourceServer = TestMongoServer.withOplog();
             TestMongoServer destServer = new TestMongoServer();
             MongoClient sourceClient = MongoClients.create(sourceServer.uri());
             MongoClient destClient = MongoClients.create(destServer.uri())) {
            FerryConf a = conf(dir, "a", sourceServer, destServer);
            FerryConf b = conf(dir, "b", sourceServer, destServer);
            Path confA = a.write();
            Path confB = b.write();
            MongoCollection<Document> source = sourceClient.getDatabase("srcdb").getCollection("items");
            MongoCollection<Document> dest = destClient.getDatabase("ferrytest").getCollection("items");
            MongoCollection<Document> leases = destClient.getDatabase("ferrycluster").getCollection("ferry_leases");
            seed(source, 2_000);
            SourceMutator mutator = new SourceMutator(source, 2_000);
            Thread mutating = new Thread(mutator, "cluster-test-mutator");
            try (FerryProcess ferryB = FerryProcess.run(confB, dir.resolve("b.log"))) {
                ferryB.awaitLog("cluster ferry: member b joined", WAIT);
                try (FerryProcess ferryA = FerryProcess.run(confA, dir.resolve("a.log"))) {
                    ferryA.awaitLog("cluster ferry: member a joined", WAIT);
                    mutating.start();
                    new Spooler(a.spool()).drop("live.json", FOLLOW_JOB);
                    awaitFollowingOn("a", leases);
                    long before = mutator.changes.get();
                    Await.until(WAIT, () -> mutator.changes.get() > before + 200, "changes while a follows");
                    ferryA.sigkill();
                    ferryA.awaitExit(WAIT);
                }
                long killed = System.nanoTime();
                ferryB.awaitLog("took job/live over from a", WAIT);
                double seconds = (System.nanoTime() - killed) / 1e9;
                assertTrue(seconds < LEASE_SECONDS + LEASE_SECONDS / 3.0 + 3, "taken over within the lease and a round "
                        + "(and the slack of a loaded machine): " + seconds + " s");

                long more = mutator.changes.get();
                Await.until(WAIT, () -> mutator.changes.get() > more + 200, "changes while b follows");
                mutator.stop.set(true);
                mutating.join();
                Await.until(WAIT, () -> Exactness.compare(source.find(), "k", List.of(dest)).exact(),
                        "the destination converges on the source");
                Exactness.compare(source.find(), "k", List.of(dest)).assertExact();

                FerryProcess.Result finish = FerryProcess.command(WAIT, "ctl", "--conf", confB.toString(), "finish",
                        "live");
                assertEquals(0, finish.exitCode(), finish.stdout() + finish.stderr());
                Document resultB = withLog(ferryB, () -> new Spooler(b.spool()).awaitDone("live", WAIT));
                assertTrue(resultB.get("eventsApplied", Number.class).longValue() > 0, resultB.toJson());
            } finally {
                mutator.stop.set(true);
                if (mutating.isAlive()) {
                    mutating.join();
                }
            }
            try (FerryProcess ferryA = FerryProcess.run(confA, dir.resolve("a2.log"))) {
                Document resultA = withLog(ferryA, () -> new Spooler(a.spool()).awaitDone("live", WAIT));
                assertTrue(resultA.get("eventsApplied", Number.class).longValue() > 0, resultA.toJson());
                assertFalse(Files.exists(a.spool().resolve("active").resolve("live.json")), "a's copy left active/");
                ferryA.awaitLog("live: done on another member of the cluster", WAIT); // logged once the files moved
            }
        }
    }

    /**
     * Fencing: the owner frozen with SIGSTOP past its lease, the other member takes the job over; resumed, the old owner
     * stops the job at once, writes no progress through the lease (owner and epoch stay the taker's), and the
     * destination still converges.
     */
    @Test
    void anOwnerPausedPastItsLeaseWritesNoProgressOnceResumed(@TempDir Path dir) throws Exception {
        try (TestMongoServer sourceServer = TestMongoServer.withOplog();
             TestMongoServer destServer = new TestMongoServer();
             MongoClient sourceClient = MongoClients.create(sourceServer.uri());
             MongoClient destClient = MongoClients.create(destServer.uri())) {
            FerryConf a = conf(dir, "a", sourceServer, destServer);
            FerryConf b = conf(dir, "b", sourceServer, destServer);
            Path confA = a.write();
            Path confB = b.write();
            MongoCollection<Document> source = sourceClient.getDatabase("srcdb").getCollection("items");
            MongoCollection<Document> dest = destClient.getDatabase("ferrytest").getCollection("items");
            MongoCollection<Document> leases = destClient.getDatabase("ferrycluster").getCollection("ferry_leases");
            seed(source, 1_000);
            SourceMutator mutator = new SourceMutator(source, 1_000);
            Thread mutating = new Thread(mutator, "cluster-test-mutator");
            try (FerryProcess ferryA = FerryProcess.run(confA, dir.resolve("a.log"));
                 FerryProcess ferryB = FerryProcess.run(confB, dir.resolve("b.log"))) {
                ferryA.awaitLog("cluster ferry: member a joined", WAIT);
                ferryB.awaitLog("cluster ferry: member b joined", WAIT);
                mutating.start();
                new Spooler(a.spool()).drop("live.json", FOLLOW_JOB);
                awaitFollowingOn("a", leases);
                ferryA.sigstop();
                try {
                    ferryB.awaitLog("took job/live over from a", WAIT);
                    long more = mutator.changes.get();
                    Await.until(WAIT, () -> mutator.changes.get() > more + 100, "changes while b follows");
                } finally {
                    ferryA.sigcont();
                }
                ferryA.awaitLog("lost its lease on job/live", WAIT);
                ferryA.awaitLog("live: stopped after", WAIT); // it stays in active/, the lease b's
                Document lease = leases.find(Filters.eq("_id", "ferry:job/live")).first();
                assertEquals("b", lease.getString("owner"), lease.toJson());
                long epoch = lease.get("epoch", Number.class).longValue();

                long later = mutator.changes.get();
                Await.until(WAIT, () -> mutator.changes.get() > later + 100, "changes after a is back");
                mutator.stop.set(true);
                mutating.join();
                try {
                    Await.until(WAIT, () -> Exactness.compare(source.find(), "k", List.of(dest)).exact(),
                            "the destination converges on the source");
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; " + Exactness.compare(source.find(), "k", List.of(dest))
                            + "\nlog of a:\n" + ferryA.log() + "\nlog of b:\n" + ferryB.log(), e);
                }
                Document after = leases.find(Filters.eq("_id", "ferry:job/live")).first();
                assertEquals("b", after.getString("owner"), "still b's: a wrote nothing through it");
                assertEquals(epoch, after.get("epoch", Number.class).longValue(), after.toJson());
                assertTrue(Files.exists(a.spool().resolve("active").resolve("live.json")), "a keeps its file, idle");
            } finally {
                mutator.stop.set(true);
                if (mutating.isAlive()) {
                    mutating.join();
                }
            }
        }
    }

    /**
     * A copy fails over too (docs/cluster.md, "Follow jobs fail over"): a mongodb copy claimed by a, a killed with SIGKILL
     * part-way; b resumes it from the checkpoint in the store and ends it; the destination equals the source, and the
     * result, in b's done/ and in a's once a is back, names both members.
     */
    @Test
    void aCopyGoesOnOnTheOtherMemberFromItsLastCheckpoint(@TempDir Path dir) throws Exception {
        try (TestMongoServer sourceServer = new TestMongoServer();
             TestMongoServer destServer = new TestMongoServer();
             // 20 ms to the destination: the copy takes long enough to be killed part-way
             dev.ferry.testing.DelayProxy distant = new dev.ferry.testing.DelayProxy("127.0.0.1", destServer.port(),
                     Duration.ofMillis(20));
             MongoClient sourceClient = MongoClients.create(sourceServer.uri());
             MongoClient destClient = MongoClients.create(destServer.uri())) {
            FerryConf a = conf(dir, "a", sourceServer, destServer).set("connection.dest.uri", distant.uri());
            FerryConf b = conf(dir, "b", sourceServer, destServer).set("connection.dest.uri", distant.uri());
            Path confA = a.write();
            Path confB = b.write();
            MongoCollection<Document> source = sourceClient.getDatabase("srcdb").getCollection("items");
            MongoCollection<Document> dest = destClient.getDatabase("ferrytest").getCollection("items");
            MongoCollection<Document> leases = destClient.getDatabase("ferrycluster").getCollection("ferry_leases");
            seed(source, 60_000);
            try (FerryProcess ferryB = FerryProcess.run(confB, dir.resolve("b.log"))) {
                ferryB.awaitLog("cluster ferry: member b joined", WAIT);
                try (FerryProcess ferryA = FerryProcess.run(confA, dir.resolve("a.log"))) {
                    ferryA.awaitLog("cluster ferry: member a joined", WAIT);
                    new Spooler(a.spool()).drop("copy.json", "{\"id\": \"copy\", \"source\": {\"type\": \"mongodb\", "
                            + "\"connection\": \"src\", \"collection\": \"items\"}, \"destination\": "
                            + "{\"connection\": \"dest\", \"collection\": \"items\"}, \"chunkSize\": 200, \"lanes\": 1}");
                    Await.until(WAIT, () -> {
                        Document lease = leases.find(Filters.eq("_id", "ferry:job/copy")).first();
                        return lease != null && "a".equals(lease.getString("owner")) && lease.get("checkpoint") != null
                                && ((Document) lease.get("checkpoint")).get("documentsRead", Number.class).longValue()
                                >= 4_000;
                    }, "a copies, its checkpoint in the store");
                    ferryA.sigkill();
                    ferryA.awaitExit(WAIT);
                }
                ferryB.awaitLog("took job/copy over from a", WAIT);
                Document resultB = withLog(ferryB, () -> new Spooler(b.spool()).awaitDone("copy", WAIT));
                assertEquals(60_000, resultB.get("documentsRead", Number.class).intValue(), resultB.toJson());
                assertEquals(List.of("a", "b"), resultB.getList("members", String.class), resultB.toJson());
                assertTrue(ferryB.log().contains("copy: resuming after"), "b resumed where a was, not from the start");
                Exactness.compare(source.find(), "k", List.of(dest)).assertExact();
            }
            try (FerryProcess ferryA = FerryProcess.run(confA, dir.resolve("a2.log"))) {
                Document resultA = withLog(ferryA, () -> new Spooler(a.spool()).awaitDone("copy", WAIT));
                assertEquals(List.of("a", "b"), resultA.getList("members", String.class), resultA.toJson());
            }
        }
    }

    /** The wait's failure with the daemon's log, which says why. */
    private static Document withLog(FerryProcess ferry, java.util.function.Supplier<Document> wait) {
        try {
            return wait.get();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nlog of the daemon:\n" + ferry.log(), e);
        }
    }
}
