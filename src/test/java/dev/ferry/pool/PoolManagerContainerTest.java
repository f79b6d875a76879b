package dev.ferry.pool;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mongodb.MongoDBContainer;

/** The reuse and no-closed-client scenarios against a real MongoDB; skipped where Docker is absent. */
@Testcontainers(disabledWithoutDocker = true)
class PoolManagerContainerTest {
    @Container
    static final MongoDBContainer MONGO = new MongoDBContainer("mongo:7.0");

    @Test
    void thousandLeasesShareOneClientOnRealMongo() throws Exception {
        PoolScenarios.reuse(MONGO.getConnectionString());
    }

    @Test
    void noClosedClientErrorsOnRealMongo() throws Exception {
        PoolScenarios.noClosedClientErrors(MONGO.getConnectionString(), Duration.ofSeconds(10));
    }
}
