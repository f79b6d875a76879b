package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.Exactness;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: a daemon killed with SIGKILL in the middle of a job loses and duplicates nothing. The
 * destination server lives in the test JVM, so it outlives the daemon; the second daemon resumes the
 * job from its checkpoint and the destination ends equal to the source.
 */
class CrashResumeProcessTest {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Pattern RESUMED = Pattern.compile("big: resuming after (\\d+) documents \\((\\d+) chunks\\)");

    @Test
    void aJobKilledMidwayResumesFromItsCheckpointAndTheDestinationEqualsTheSource(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path confDir = conf.write();
            Dataset data = Dataset.write(conf.data().resolve("big.ndjson"), 100_000);
            Spooler spool = new Spooler(conf.spool());
            Path checkpoint = conf.state().resolve("checkpoints").resolve("big.checkpoint.json");

            try (FerryProcess first = FerryProcess.run(confDir, dir.resolve("first.log"))) {
                first.awaitLog("started (pid", START);
                spool.drop("big.json", data.upsertJob("big"));
                Await.until(Duration.ofSeconds(30), () -> Files.exists(checkpoint) || !first.isAlive(),
                        "a checkpoint of job big");
                first.sigkill();
                assertEquals(137, first.awaitExit(Duration.ofSeconds(10)), "SIGKILL exit status");
            }
            long atKill = Dataset.count(server.uri(), "big");
            assertTrue(Files.exists(conf.spool().resolve("active").resolve("big.json")), "the job stays in active/");
            assertFalse(Files.exists(conf.spool().resolve("done").resolve("big.json")), "not done before the kill");
            assertTrue(atKill > 0 && atKill < data.size, "killed midway, with " + atKill + " documents written");

            FerryProcess second = FerryProcess.run(confDir, dir.resolve("second.log"));
            try (second) {
                Document result = spool.awaitDone("big", Duration.ofSeconds(60));
                Matcher resumed = RESUMED.matcher(second.log());
                assertTrue(resumed.find(), "resumed from the checkpoint; log:\n" + second.log());
                long resumedAfter = Long.parseLong(resumed.group(1));
                assertTrue(resumedAfter > 0 && resumedAfter <= atKill,
                        "resumed after " + resumedAfter + " documents, " + atKill + " were at the destination");
                assertEquals(100_000L, number(result, "documentsRead"));
                assertEquals(100L, number(result, "chunks"));
                // each chunk counted once: the one re-written after the kill matched what was already there
                assertEquals(100_000L, number(result, "upserted") + number(result, "matched"), result.toJson());
                assertEquals(0L, spool.count("active"));
                assertFalse(Files.exists(checkpoint), "the checkpoint is deleted when the job is done");
            }

            // count, no duplicate or missing _id, and the documents' content equal to the source's
            Exactness.Report exact = data.compareWith(server.uri(), "big").assertExact();
            assertEquals(100_000L, exact.destinationCount());
        }
    }

    static long number(Document doc, String field) {
        return ((Number) doc.get(field)).longValue();
    }
}
