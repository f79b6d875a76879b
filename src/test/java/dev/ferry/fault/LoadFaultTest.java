package dev.ferry.fault;

import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 7, load: small jobs across 20 connections dropped at once. */
class LoadFaultTest {

    @Test
    void twoHundredJobsOverTwentyConnectionsAllCompleteWithinPoolLimits(@TempDir Path dir) {
        try (TestMongoServer server = new TestMongoServer()) {
            LoadScenario.run(dir, server.uri(), 200, 20, 5, "load (fast)",
                    "mvn -B test -Dtest=LoadFaultTest");
        }
    }

    @Test
    @Tag("soak")
    void thousandJobsOverTwentyConnectionsAllCompleteWithinPoolLimits(@TempDir Path dir) {
        try (TestMongoServer server = new TestMongoServer()) {
            LoadScenario.run(dir, server.uri(), 1000, 20, 5, "load (soak)", "make soak");
        }
    }
}
