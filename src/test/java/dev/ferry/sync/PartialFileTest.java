package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.OUTCOME;
import static dev.ferry.sync.EndToEnd.inline;
import static dev.ferry.sync.EndToEnd.job;
import static dev.ferry.sync.EndToEnd.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user who writes a job straight into incoming/ (no rename) must not have it claimed half-written. */
class PartialFileTest {
    private static final int SETTLE_MILLIS = 1000;
    private static final int PIECES = 14;
    /** Well below the settle time, so that the file never looks settled while it is being written. */
    private static final int PAUSE_MILLIS = 150;

    @Test
    void aJobWrittenSlowlyInPlaceIsClaimedOnlyOnceComplete(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri()).set("queue.settleMillis", String.valueOf(SETTLE_MILLIS));
            try (DaemonFixture daemon = new DaemonFixture(conf, null).start()) {
                Spooler spool = new Spooler(conf.spool());
                byte[] whole = job("slow", inline(IntStream.range(0, 50).mapToObj(i -> new Document("_id", i))
                        .toList()), "slow").toJson().getBytes(StandardCharsets.UTF_8);
                Path incoming = conf.spool().resolve("incoming").resolve("slow.json");
                long started = System.nanoTime();
                try (OutputStream out = Files.newOutputStream(incoming)) {
                    for (int piece = 0; piece < PIECES; piece++) {
                        int from = whole.length * piece / PIECES;
                        int to = whole.length * (piece + 1) / PIECES;
                        out.write(whole, from, to - from);
                        out.flush();
                        Thread.sleep(PAUSE_MILLIS); // the slow writer is the scenario, not a wait for an event
                        assertTrue(Files.exists(incoming), "claimed after " + (piece + 1) + " of " + PIECES + " pieces");
                        assertEquals(0, spool.count("active") + spool.count("failed") + spool.count("done"));
                    }
                }
                long writingMillis = (System.nanoTime() - started) / 1_000_000;
                assertTrue(writingMillis >= 2L * SETTLE_MILLIS, "the writer took only " + writingMillis + " ms");

                Document result = spool.awaitDone("slow", OUTCOME);
                assertEquals(50L, number(result, "documentsRead"));
                assertFalse(Files.exists(conf.spool().resolve("failed").resolve("slow.error.json")));
                assertEquals(List.of(), List.of(conf.spool().resolve("failed").toFile().list()));
            }
        }
    }
}
