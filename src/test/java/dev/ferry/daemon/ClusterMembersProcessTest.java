package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, membership: two daemons in one cluster (docs/cluster.md, "Members and leases"). One killed with SIGKILL is
 * announced lost by the other within the lease and a renewal; started again it is up; stopped with SIGTERM it leaves,
 * and is not announced lost.
 */
class ClusterMembersProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration COMMAND = Duration.ofSeconds(60);

    private static String conf(Path dir, TestMongoServer server, String member) {
        return new FerryConf(dir.resolve(member), server.uri())
                .set("connection.coord.uri", server.uri()).set("connection.coord.database", "ferrycluster")
                .set("cluster.connection", "coord").set("cluster.member", member).set("cluster.leaseSeconds", "3")
                .write().toString();
    }

    private static String status(String conf) {
        FerryProcess.Result r = FerryProcess.command(COMMAND, "status", "--conf", conf);
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        return r.stdout();
    }

    @Test
    void aKilledMemberIsAnnouncedLostAStoppedOneLeaves(@TempDir Path dir) {
        try (TestMongoServer server = new TestMongoServer()) {
            String a = conf(dir, server, "a");
            String b = conf(dir, server, "b");
            try (FerryProcess ferryA = FerryProcess.run(Path.of(a), dir.resolve("a.log"));
                 FerryProcess ferryB = FerryProcess.run(Path.of(b), dir.resolve("b.log"))) {
                ferryA.awaitLog("cluster ferry: member a joined", WAIT);
                ferryB.awaitLog("cluster ferry: member b joined", WAIT);
                Await.until(WAIT, () -> status(a).contains("b (up"), "a sees b");
                assertTrue(status(a).contains("cluster ferry: this member a; members: a (up"), status(a));

                ferryB.sigkill();
                ferryB.awaitExit(WAIT);
                long killed = System.nanoTime();
                ferryA.awaitLog("cluster ferry: member b is lost", WAIT);
                double seconds = (System.nanoTime() - killed) / 1e9;
                assertTrue(seconds < 3 + 1 + 2, "lost within the lease, a renewal round and some slack: " + seconds);
                assertTrue(status(a).contains("b (lost"), status(a));
            }
            try (FerryProcess ferryA = FerryProcess.run(Path.of(a), dir.resolve("a2.log"));
                 FerryProcess ferryB = FerryProcess.run(Path.of(b), dir.resolve("b2.log"))) {
                ferryA.awaitLog("cluster ferry: member a joined", WAIT);
                ferryB.awaitLog("cluster ferry: member b joined", WAIT);
                Await.until(WAIT, () -> status(a).contains("b (up"), "b is back");
                int before = ferryA.log().length(); // a, started while b was still lost, said so once
                ferryB.sigterm();
                ferryB.awaitExit(WAIT);
                assertTrue(ferryB.log().contains("cluster ferry: member b left"), ferryB.log());
                Await.until(WAIT, () -> status(a).contains("b (left"), "a sees that b left");
                // the absence of an event has no event to await: two leases' time, cut short if it comes
                long until = System.nanoTime() + Duration.ofSeconds(7).toNanos();
                Await.until(Duration.ofSeconds(10), () -> System.nanoTime() > until
                        || ferryA.log().substring(before).contains("is lost"), "two leases");
                assertTrue(!ferryA.log().substring(before).contains("member b is lost"), ferryA.log());
            }
        }
    }
}
