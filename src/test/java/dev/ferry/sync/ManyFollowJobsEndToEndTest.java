package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.testing.Await;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Follow jobs do not hold a worker once they follow: with default settings (4 workers), 50 follow jobs
 * on 50 collections all reach FOLLOWING, a file job dropped after them runs at once, and every one of
 * them applies a change made at its source promptly (docs/follow.md, "Follow mode").
 */
class ManyFollowJobsEndToEndTest {
    private static final int FOLLOWERS = 50;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void fiftyFollowJobsFollowBesideACopyJobThatRunsAtOnce() throws Exception {
        try (TestMongoServer server = new TestMongoServer(); MongoClient client = MongoClients.create(server.uri())) {
            for (int c = 0; c < FOLLOWERS; c++) {
                client.getDatabase("srcdb").getCollection("c" + c).insertOne(new Document("_id", 0));
            }
            server.enableOplog(); // a replica set's oplog starts after the seed; the embedded one would replay it
            FerryConf conf = new FerryConf(dir, server.uri()).set("connection.src.uri", server.uri())
                    .set("connection.src.database", "srcdb");
            conf.set("workers", "4");
            MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
            try (DaemonFixture daemon = new DaemonFixture(conf, mbeans).start()) {
                Spooler spool = new Spooler(conf.spool());
                for (int c = 0; c < FOLLOWERS; c++) {
                    spool.drop("f" + c + ".json", "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\","
                            + " \"collection\": \"c" + c + "\", \"follow\": true}, \"destination\": {\"connection\":"
                            + " \"dest\", \"collection\": \"c" + c + "\"}}");
                }
                Await.until(WAIT, () -> IntStream.range(0, FOLLOWERS).allMatch(c -> following(mbeans, "f" + c)),
                        FOLLOWERS + " follow jobs FOLLOWING");

                Path file = Files.writeString(conf.data().resolve("late.ndjson"), IntStream.range(0, 1000)
                        .mapToObj(i -> "{\"_id\": " + i + "}").collect(Collectors.joining("\n")));
                long dropped = System.nanoTime();
                spool.drop("late.json", "{\"source\": {\"type\": \"file\", \"path\": \"" + file + "\", \"format\":"
                        + " \"ndjson\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"late\"}}");
                Document result = spool.awaitDone("late", Duration.ofSeconds(30));
                assertEquals(1000L, ((Number) result.get("documentsRead")).longValue());
                long seconds = Duration.ofNanos(System.nanoTime() - dropped).toSeconds();
                assertTrue(seconds < 10, "the file job ran beside 50 follow jobs, in " + seconds + " s");

                for (int c = 0; c < FOLLOWERS; c++) {
                    client.getDatabase("srcdb").getCollection("c" + c).insertOne(new Document("_id", 1));
                }
                Await.until(Duration.ofSeconds(5), () -> IntStream.range(0, FOLLOWERS).allMatch(c -> client
                                .getDatabase("ferrytest").getCollection("c" + c).countDocuments(new Document("_id", 1)) == 1),
                        "each follow job applied its change");
                assertEquals(FOLLOWERS, IntStream.range(0, FOLLOWERS).filter(c -> following(mbeans, "f" + c)).count());
            }
        }
    }

    private static boolean following(MBeanServer mbeans, String id) {
        if (!mbeans.isRegistered(MBeanRegistrar.name("Job", id))) {
            return false;
        }
        JobMXBean job = JMX.newMXBeanProxy(mbeans, MBeanRegistrar.name("Job", id), JobMXBean.class);
        return "FOLLOWING".equals(job.getPhase());
    }
}
