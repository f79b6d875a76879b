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
 * {@code ferry status --watch} as an operator leaves it running in a second window: a snapshot every
 * interval, one after another when its output is not a terminal; it says when no daemon runs, picks
 * up a daemon that starts and one that replaces it, and Ctrl-C ends it.
 */
class StatusWatchProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** How many snapshots in the watch's output say {@code text}. */
    private static long frames(FerryProcess watch, String text) {
        return watch.log().lines().filter(l -> l.contains(text)).count();
    }

    @Test
    void aWatchFollowsTheDaemonThroughARestartUntilCtrlC(@TempDir Path dir) {
        try (TestMongoServer server = new TestMongoServer()) {
            String conf = new FerryConf(dir, server.uri()).write().toString();
            try (FerryProcess watch = FerryProcess.start(dir.resolve("watch.log"), "status", "--conf", conf,
                    "--watch", "1")) {
                Await.until(WAIT, () -> frames(watch, "daemon: not running") >= 2, "two snapshots without a daemon");
                assertTrue(watch.log().startsWith("--- "), "each snapshot is headed by its time: " + watch.log());

                long first;
                try (FerryProcess daemon = FerryProcess.run(Path.of(conf), dir.resolve("ferry-1.log"))) {
                    daemon.awaitLog("started (pid", WAIT);
                    first = daemon.pid();
                    Await.until(WAIT, () -> frames(watch, "daemon: running (pid " + first + ")") >= 1,
                            "a snapshot of the first daemon");
                    daemon.sigterm();
                    daemon.awaitExit(WAIT);
                }
                try (FerryProcess daemon = FerryProcess.run(Path.of(conf), dir.resolve("ferry-2.log"))) {
                    daemon.awaitLog("started (pid", WAIT);
                    long second = daemon.pid();
                    Await.until(WAIT, () -> frames(watch, "daemon: running (pid " + second + ")") >= 1,
                            "a snapshot of the daemon that replaced it, in the same watch");
                    assertTrue(watch.isAlive(), "the watch outlived the restart");

                    watch.sigint();
                    int exit = watch.awaitExit(Duration.ofSeconds(10));
                    assertEquals(130, exit, "Ctrl-C ends the watch as it ends any command; log:\n" + watch.log());
                    assertTrue(daemon.isAlive(), "ending the watch leaves the daemon alone");
                }
                assertTrue(watch.log().contains("spool " + dir.resolve("spool") + ": incoming 0"), watch.log());
            }
        }
    }
}
