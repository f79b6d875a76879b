package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.collection;
import static dev.ferry.sync.EndToEnd.file;
import static dev.ferry.sync.EndToEnd.job;
import static dev.ferry.sync.EndToEnd.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Projections;
import dev.ferry.pool.PooledClient;
import dev.ferry.pool.PoolState;
import dev.ferry.testing.Await;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination goes away in the middle of a job (the proxy between ferry and the server stops, as a
 * network outage would) and comes back on the same address: the job waits, retries, and completes with
 * every document exactly once.
 */
class OutageEndToEndTest {
    private static final Logger log = LoggerFactory.getLogger(OutageEndToEndTest.class);
    private static final int DOCUMENTS = 50_000;
    private static final int CHUNK = 250;

    @Test
    void aJobSurvivesADestinationOutageAndWritesEveryDocumentOnce(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer();
             FaultProxy proxy = new FaultProxy("127.0.0.1", server.port());
             MongoClient direct = MongoClients.create(server.uri())) {
            FerryConf conf = new FerryConf(dir, proxy.uri()).set("health.intervalSeconds", "1")
                    .set("health.failuresBeforeReconnect", "2");
            Path data = conf.data().resolve("big.ndjson");
            Files.writeString(data, IntStream.range(0, DOCUMENTS)
                    .mapToObj(i -> "{\"_id\": " + i + ", \"name\": \"n" + i + "\"}").collect(Collectors.joining("\n")));
            try (DaemonFixture daemon = new DaemonFixture(conf, null).start()) {
                Orchestrator orchestrator = daemon.daemon().orchestrator();
                PooledClient pool = daemon.daemon().pools().pool("dest");
                Spooler spool = new Spooler(conf.spool());
                spool.drop("big.json", job(null, file(data, "ndjson"), "big").append("chunkSize", CHUNK).toJson());

                Await.until(Duration.ofSeconds(60), () -> orchestrator.getChunksWritten() >= 10, "10 chunks written");
                proxy.stop();
                long chunksAtOutage = orchestrator.getChunksWritten();
                Await.until(Duration.ofSeconds(30), () -> pool.state() == PoolState.DOWN, "pool dest DOWN");
                long chunksWhileDown = orchestrator.getChunksWritten();
                assertTrue(chunksWhileDown < DOCUMENTS / CHUNK, "the job ended before the outage could matter");
                assertTrue(Files.exists(conf.spool().resolve("active").resolve("big.json")), "job still active");
                proxy.start();

                Document result = spool.awaitDone("big", Duration.ofSeconds(120));
                log.info("outage: stopped at {} chunks, {} while DOWN; result {}", chunksAtOutage, chunksWhileDown,
                        result.toJson());
                assertEquals((long) DOCUMENTS, number(result, "documentsRead"));
                assertEquals((long) DOCUMENTS / CHUNK, number(result, "chunks"));
                assertTrue(number(result, "retries") > 0, result.toJson());
                // a chunk retried after the server did get it is matched, not inserted twice
                assertEquals((long) DOCUMENTS, number(result, "upserted") + number(result, "matched"), result.toJson());
                assertEquals(orchestrator.getChunkRetries(), number(result, "retries"));
                assertEquals(PoolState.OPEN, pool.state());
            }
            assertEquals(DOCUMENTS, collection(direct, "big").countDocuments());
            BitSet seen = new BitSet(DOCUMENTS);
            for (BsonDocument d : collection(direct, "big").find().projection(Projections.include("_id"))) {
                int id = d.getInt32("_id").getValue();
                assertTrue(!seen.get(id), "_id " + id + " twice");
                seen.set(id);
            }
            assertEquals(DOCUMENTS, seen.cardinality());
        }
    }
}
