package dev.ferry.fault;

import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 7, repeated crashes: SIGKILL at random points of one job, restart each time. */
class CrashFaultTest {
    // a new seed each run explores new kill points; the seed is in the report to replay a failure
    private static final long SEED = Long.getLong("fault.seed", System.nanoTime());

    @Test
    void aJobKilledThreeTimesEndsExact(@TempDir Path dir) {
        try (TestMongoServer server = new TestMongoServer()) {
            CrashScenario.run(dir, Target.of(server), 40_000, 3, SEED, "repeated crashes (fast)",
                    "mvn -B test -Dtest=CrashFaultTest [-Dfault.seed=N]");
        }
    }

    @Test
    @Tag("soak")
    void aJobKilledFiveTimesEndsExact(@TempDir Path dir) {
        try (TestMongoServer server = new TestMongoServer()) {
            CrashScenario.run(dir, Target.of(server), 200_000, 5, SEED, "repeated crashes (soak)", "make soak");
        }
    }
}
