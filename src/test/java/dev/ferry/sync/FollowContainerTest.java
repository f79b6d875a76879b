package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.sync.follow.ChangeStreamSource;
import dev.ferry.sync.follow.ResumeLostException;
import dev.ferry.sync.follow.StreamPoint;
import dev.ferry.testing.Await;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.bson.BsonDocument;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mongodb.MongoDBContainer;

/** Follow mode against a real MongoDB 7.0 single-node replica set; skipped without Docker. */
@Testcontainers(disabledWithoutDocker = true)
class FollowContainerTest {
    @Container
    static final MongoDBContainer MONGO = new MongoDBContainer("mongo:7.0");

    @TempDir
    Path dir;

    @Test
    void aFollowJobCopiesThenAppliesChangesUntilFinish() {
        String uri = MONGO.getReplicaSetUrl("ferrytest");
        try (MongoClient client = MongoClients.create(uri)) {
            MongoCollection<Document> source = client.getDatabase("srcdb").getCollection("people");
            MongoCollection<Document> dest = client.getDatabase("ferrytest").getCollection("people");
            for (int i = 0; i < 50; i++) {
                source.insertOne(new Document("_id", i).append("n", i));
            }
            FerryConf conf = new FerryConf(dir, uri).set("chunk.size", "10")
                    .set("connection.src.uri", uri).set("connection.src.database", "srcdb");
            MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
            try (DaemonFixture daemon = new DaemonFixture(conf, mbeans).start()) {
                Spooler spool = new Spooler(conf.spool());
                spool.drop("live.json", "{\"id\": \"live\", \"source\": {\"type\": \"mongodb\", \"connection\": \"src\", "
                        + "\"collection\": \"people\", \"follow\": true}, \"destination\": {\"connection\": \"dest\", "
                        + "\"collection\": \"people\"}}");
                JobMXBean job = JMX.newMXBeanProxy(mbeans, MBeanRegistrar.name("Job", "live"), JobMXBean.class);
                Await.until(Duration.ofSeconds(60), () -> mbeans.isRegistered(MBeanRegistrar.name("Job", "live"))
                        && job.getPhase().equals("FOLLOWING"), "following");
                source.updateOne(Filters.eq("_id", 1), Updates.set("n", 100));
                source.deleteOne(Filters.eq("_id", 2));
                source.insertOne(new Document("_id", -5).append("n", -5));
                Await.until(Duration.ofSeconds(30), () -> all(source).equals(all(dest)), "destination equal to source");
                OrchestratorMXBean orchestrator = JMX.newMXBeanProxy(mbeans, MBeanRegistrar.name("Orchestrator"),
                        OrchestratorMXBean.class);
                orchestrator.finish("live");
                Document result = spool.awaitDone("live", Duration.ofSeconds(30));
                assertEquals(1L, ((Number) result.get("deleted")).longValue(), result.toJson());
            }
        }
    }

    @Test
    void aStartPointOlderThanTheOplogIsResumeLost() {
        try (MongoClient client = MongoClients.create(MONGO.getReplicaSetUrl("ferrytest"))) {
            MongoCollection<BsonDocument> c = client.getDatabase("t").getCollection("x", BsonDocument.class);
            c.insertOne(new BsonDocument());
            try (ChangeStreamSource source = new ChangeStreamSource(c, StreamPoint.at(new BsonTimestamp(1, 1)), 10)) {
                ResumeLostException e = assertThrows(ResumeLostException.class,
                        () -> source.poll(10, Duration.ofMillis(100), Clock.systemUTC()));
                assertTrue(e.getMessage().contains("Resubmit"), e.getMessage());
            }
        }
    }

    private static List<Document> all(MongoCollection<Document> c) {
        return c.find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
    }
}
