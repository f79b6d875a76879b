package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shortest path from drop to done, in the test JVM and as a real process. */
class SyncSmokeTest {

    @Test
    void anNdjsonJobDroppedIntoIncomingEndsInDoneWithItsDocuments(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Files.writeString(conf.data().resolve("p.ndjson"), IntStream.range(0, 2500)
                    .mapToObj(i -> "{\"_id\": " + i + ", \"name\": \"n" + i + "\"}").collect(Collectors.joining("\n")));
            try (DaemonFixture daemon = new DaemonFixture(conf, null).start()) {
                Spooler spool = new Spooler(conf.spool());
                spool.drop("p.json", "{\"source\": {\"type\": \"file\", \"path\": \"" + conf.data().resolve("p.ndjson")
                        + "\", \"format\": \"ndjson\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"p\"},"
                        + " \"chunkSize\": 1000}");
                Document result = spool.awaitDone("p", Duration.ofSeconds(30));
                assertEquals(2500L, ((Number) result.get("documentsRead")).longValue());
                assertEquals(3L, ((Number) result.get("chunks")).longValue());
            }
            try (MongoClient client = MongoClients.create(server.uri())) {
                assertEquals(2500, client.getDatabase("ferrytest").getCollection("p").countDocuments());
            }
        }
    }

    @Test
    void validateAsARealProcessExitsTwoOnABadJobAndZeroOnAGoodOne(@TempDir Path dir) throws Exception {
        FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:1");
        Path confDir = conf.write();
        Path good = dir.resolve("good.json");
        Files.writeString(good, "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1}]},"
                + " \"destination\": {\"connection\": \"dest\", \"collection\": \"c\"}}");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"source\": {\"type\": \"inline\", \"documents\": []}, \"chunksize\": 5,"
                + " \"destination\": {\"connection\": \"dest\", \"collection\": \"c\"}}");
        FerryProcess.Result ok = FerryProcess.command(Duration.ofSeconds(60), "validate", "--conf", confDir.toString(),
                good.toString());
        assertEquals(0, ok.exitCode(), ok.stderr());
        FerryProcess.Result rejected = FerryProcess.command(Duration.ofSeconds(60), "validate", "--conf",
                confDir.toString(), bad.toString());
        assertEquals(2, rejected.exitCode(), rejected.stdout());
        assertEquals(true, rejected.stderr().contains("chunksize"), rejected.stderr());
    }
}
