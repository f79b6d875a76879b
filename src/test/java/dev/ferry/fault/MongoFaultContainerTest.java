package dev.ferry.fault;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * The load, outage and crash scenarios against a real MongoDB replica set (one member) instead of the
 * embedded server; skipped where Docker is absent. The fault proxy connects to the container's mapped
 * port, so these need Docker on this host (the mapped port on a loopback address).
 */
@Testcontainers(disabledWithoutDocker = true)
class MongoFaultContainerTest {
    @Container
    static final MongoDBContainer MONGO = new MongoDBContainer("mongo:7.0");

    private static Target target() {
        return new Target(MONGO.getHost(), MONGO.getFirstMappedPort(), MONGO.getReplicaSetUrl());
    }

    @Test
    void loadOnRealMongo(@TempDir Path dir) {
        LoadScenario.run(dir, MONGO.getReplicaSetUrl(), 200, 20, 5, "load, mongo:7.0 replica set",
                "mvn -B test -Dtest=MongoFaultContainerTest (needs Docker)");
    }

    @Test
    void outageOnRealMongo(@TempDir Path dir) throws Exception {
        NetworkFaultScenario.run(dir, target(), 4, 40_000, Duration.ofSeconds(2),
                "network faults, mongo:7.0 replica set", "mvn -B test -Dtest=MongoFaultContainerTest (needs Docker)");
    }

    @Test
    void crashesOnRealMongo(@TempDir Path dir) {
        CrashScenario.run(dir, target(), 40_000, 3, System.nanoTime(), "repeated crashes, mongo:7.0 replica set",
                "mvn -B test -Dtest=MongoFaultContainerTest (needs Docker)");
    }
}
