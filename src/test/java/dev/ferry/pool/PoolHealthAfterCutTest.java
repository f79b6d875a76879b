package dev.ferry.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.TestMongoServer;
import java.time.Clock;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.junit.jupiter.api.Test;

/** A link that resets idle connections (a firewall, a flapping network) must not make a reachable server DOWN. */
class PoolHealthAfterCutTest {

    @Test
    void aPooledConnectionResetWhileIdleDoesNotFailTheHealthCheck() {
        try (TestMongoServer server = new TestMongoServer();
             FaultProxy proxy = new FaultProxy("127.0.0.1", server.port());
             PoolFixture f = new PoolFixture(proxy.uri() + "/?directConnection=true", PoolFixture.quiet(),
                     Clock.systemUTC())) {
            try (Lease lease = f.manager.lease("test")) {
                lease.collection("ferrytest", "c").insertOne(new BsonDocument("_id", new BsonInt32(1)));
            }
            assertTrue(proxy.cutAll() > 0, "the proxy reset the idle connections");

            f.pool().checkHealth();

            assertEquals(0, f.pool().health().consecutiveFailures(), f.pool().lastError());
            assertTrue(f.pool().isHealthy());
            assertEquals("OPEN", f.pool().state().name());
        }
    }
}
