package dev.ferry.fault;

import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 7, graceful stop under load: SIGTERM while 4 jobs run, then restart. */
class GracefulStopFaultTest {

    @Test
    void sigtermWithFourJobsRunningStopsInTimeAndEveryJobCompletesAfterRestart(@TempDir Path dir) {
        try (TestMongoServer server = new TestMongoServer()) {
            GracefulStopScenario.run(dir, Target.of(server), 4, 10_000, "graceful stop (fast)",
                    "mvn -B test -Dtest=GracefulStopFaultTest");
        }
    }

    @Test
    @Tag("soak")
    void sigtermWithFourLargeJobsRunningStopsInTimeAndEveryJobCompletesAfterRestart(@TempDir Path dir) {
        try (TestMongoServer server = new TestMongoServer()) {
            GracefulStopScenario.run(dir, Target.of(server), 4, 50_000, "graceful stop (soak)", "make soak");
        }
    }
}
