package dev.ferry.fault;

import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 7, network faults: connections cut every few seconds and 50 ms latency while jobs run. */
class NetworkFaultTest {

    @Test
    void fortyThousandDocumentsArriveExactlyDespiteCutsAndLatency(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            NetworkFaultScenario.run(dir, Target.of(server), 4, 40_000, Duration.ofSeconds(1), "network faults (fast)",
                    "mvn -B test -Dtest=NetworkFaultTest");
        }
    }

    @Test
    @Tag("soak")
    void twoHundredThousandDocumentsArriveExactlyDespiteCutsAndLatency(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            NetworkFaultScenario.run(dir, Target.of(server), 8, 200_000, Duration.ofSeconds(3),
                    "network faults (soak)", "make soak");
        }
    }
}
