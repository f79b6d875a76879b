package dev.ferry.sync;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.bson.BsonDocument;

/**
 * The set-up of the file-loading end-to-end tests: a daemon in this JVM writing to one embedded
 * server, the spool to drop jobs into, a client to look at what was stored, and the data folder.
 */
final class LoadingDaemon implements AutoCloseable {
    private final TestMongoServer server;
    final MongoClient client;
    final FerryConf conf;
    final Spooler spool;
    private final DaemonFixture daemon;

    LoadingDaemon(Path dir, int chunkSize) {
        server = new TestMongoServer();
        client = MongoClients.create(server.uri());
        conf = new FerryConf(dir, server.uri()).set("chunk.size", String.valueOf(chunkSize));
        spool = new Spooler(conf.spool());
        daemon = new DaemonFixture(conf, null).start();
    }

    /** A data file in the folder file sources may read, gzipped when its name ends in {@code .gz}. */
    Path data(String name, byte[] bytes) {
        return EndToEnd.data(conf.data().resolve(name), bytes);
    }

    Path data(String name, String text) {
        return data(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The lines of {@code done/ID.rejected.ndjson}. */
    List<BsonDocument> rejectedLines(String id) {
        return EndToEnd.rejectedLines(conf.spool().resolve("done"), id);
    }

    @Override
    public void close() {
        daemon.close();
        client.close();
        server.close();
    }
}
