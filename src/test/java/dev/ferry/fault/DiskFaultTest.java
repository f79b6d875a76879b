package dev.ferry.fault;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 7, disk trouble: the state or spool directory unwritable or full in the middle of a job. */
class DiskFaultTest {
    private static final String TMPFS_SIZE = "512k";

    @Test
    void anUnwritableCheckpointDirectoryHoldsTheJobUntilItClears(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            DiskFaultScenario.run(dir, Target.of(server), 20_000,
                    conf -> DiskFault.replacedByFile(conf.state().resolve("checkpoints"), "state.dir/checkpoints"),
                    Duration.ofSeconds(3), "disk: state unwritable (fast)", "mvn -B test -Dtest=DiskFaultTest");
        }
    }

    @Test
    void aFullStateFileSystemHoldsTheJobUntilSpaceIsFreed(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("state");
        assumeTrue(DiskFault.mountTmpfs(state, TMPFS_SIZE), "mounting a tmpfs needs root and a permissive sandbox");
        try (TestMongoServer server = new TestMongoServer()) {
            DiskFaultScenario.run(dir, Target.of(server), 20_000, conf -> DiskFault.full(state, TMPFS_SIZE), Duration.ofSeconds(3),
                    "disk: state full (fast)", "mvn -B test -Dtest=DiskFaultTest (as root)");
        } finally {
            DiskFault.unmount(state);
        }
    }

    @Test
    @Tag("soak")
    void anUnwritableDoneDirectoryHoldsTheFinishedJobUntilItClears(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            DiskFaultScenario.run(dir, Target.of(server), 200_000,
                    conf -> DiskFault.replacedByFile(conf.spool().resolve("done"), "spool.dir/done"), Duration.ofSeconds(10),
                    "disk: spool done/ unwritable (soak)", "make soak");
        }
    }

    @Test
    @Tag("soak")
    void anUnwritableCheckpointDirectoryHoldsALargeJobUntilItClears(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            DiskFaultScenario.run(dir, Target.of(server), 200_000,
                    conf -> DiskFault.replacedByFile(conf.state().resolve("checkpoints"), "state.dir/checkpoints"),
                    Duration.ofSeconds(10), "disk: state unwritable (soak)", "make soak");
        }
    }
}
