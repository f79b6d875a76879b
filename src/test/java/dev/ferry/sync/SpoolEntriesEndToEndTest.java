package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.OUTCOME;
import static dev.ferry.sync.EndToEnd.inline;
import static dev.ferry.sync.EndToEnd.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a group member may drop into incoming/ that is not a plain file: a link to a file only the
 * daemon's user can read, a link to nothing, a FIFO, a directory. Each ends in failed/ with a message
 * naming the entry and what it is; nothing is followed, opened or quoted, and the daemon goes on.
 */
class SpoolEntriesEndToEndTest {

    @Test
    void linksFifosAndDirectoriesEndInFailedUnreadAndTheDaemonGoesOn(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path secret = Files.createDirectories(dir.resolve("private")).resolve("passwd");
            Files.writeString(secret, "root:x:0:0:root:/root:/bin/bash\n");
            try (DaemonFixture daemon = new DaemonFixture(conf, null).start()) {
                Path incoming = conf.spool().resolve("incoming");
                Files.createSymbolicLink(incoming.resolve("passwd-link.json"), secret);
                Files.createSymbolicLink(incoming.resolve("dangling.json"), dir.resolve("nothing-here"));
                Process mkfifo = new ProcessBuilder("mkfifo", incoming.resolve("pipe.json").toString()).start();
                assertEquals(0, mkfifo.waitFor());
                Files.createDirectories(incoming.resolve("folder.json"));

                Spooler spool = new Spooler(conf.spool());
                for (String[] entry : List.of(new String[] {"passwd-link", "a symbolic link"},
                        new String[] {"dangling", "a symbolic link"}, new String[] {"pipe", "a FIFO, socket or device"},
                        new String[] {"folder", "a directory"})) {
                    Document error = spool.awaitFailed(entry[0], OUTCOME);
                    assertEquals("invalid-job", error.getString("kind"), error.toJson());
                    String message = error.getString("message");
                    assertTrue(message.contains(entry[0] + ".json is " + entry[1] + ", not a regular file"), message);
                    assertFalse(error.toJson().contains("root"), "never the target's content: " + error.toJson());
                    assertTrue(Files.exists(conf.spool().resolve("failed").resolve(entry[0] + ".json"),
                            LinkOption.NOFOLLOW_LINKS), "the entry itself moved to failed/");
                }
                assertEquals("root:x:0:0:root:/root:/bin/bash\n", Files.readString(secret), "the target is untouched");

                spool.drop("after.json", job(null, inline(List.of(new Document("_id", 1))), "good").toJson());
                spool.awaitDone("after", OUTCOME);
            }
        }
    }
}
