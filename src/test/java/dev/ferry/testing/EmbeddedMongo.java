package dev.ferry.testing;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.testing.TestMongoServer;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;

/** A {@link TestMongoServer} with one driver client, for tests of the sync pieces without a pool. */
public final class EmbeddedMongo implements AutoCloseable {

    private final TestMongoServer server = new TestMongoServer();
    private final MongoClient client = MongoClients.create(MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(server.uri()))
            .applyToClusterSettings(b -> b.serverSelectionTimeout(5, TimeUnit.SECONDS))
            .build());

    public MongoCollection<BsonDocument> collection(String name) {
        return client.getDatabase("test").getCollection(name, BsonDocument.class);
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
