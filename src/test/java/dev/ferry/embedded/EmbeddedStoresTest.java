package dev.ferry.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.DriverPoolOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoresTest {

    @Test
    void embeddedDirKeepsDataAcrossRestarts(@TempDir Path dir) {
        ConnectionSettings local = new ConnectionSettings("local", "embedded:" + dir.resolve("store"), "demo",
                DriverPoolOptions.DEFAULTS);
        try (EmbeddedStores stores = new EmbeddedStores();
             MongoClient client = MongoClients.create(stores.uriFor(local))) {
            client.getDatabase("demo").getCollection("people").insertOne(new Document("_id", 1).append("n", "Ada"));
        }
        assertTrue(Files.exists(dir.resolve("store").resolve(EmbeddedStores.STORE_FILE)), "store file on disk");
        try (EmbeddedStores stores = new EmbeddedStores();
             MongoClient client = MongoClients.create(stores.uriFor(local))) {
            Document ada = client.getDatabase("demo").getCollection("people").find().first();
            assertEquals("Ada", ada.getString("n"));
        }
    }

    @Test
    void sameUriSharesOneStoreAndInMemoryStartsEmpty() {
        ConnectionSettings a = new ConnectionSettings("a", "embedded:", "demo", DriverPoolOptions.DEFAULTS);
        ConnectionSettings b = new ConnectionSettings("b", "embedded:", "demo", DriverPoolOptions.DEFAULTS);
        try (EmbeddedStores stores = new EmbeddedStores()) {
            String uri = stores.uriFor(a);
            assertTrue(uri.startsWith("mongodb://127.0.0.1:"), uri);
            assertEquals(uri, stores.uriFor(b));
            try (MongoClient client = MongoClients.create(uri)) {
                assertEquals(0, client.getDatabase("demo").getCollection("x").countDocuments());
            }
            stores.close();
            assertThrows(IllegalStateException.class, () -> stores.uriFor(a));
        }
    }
}
