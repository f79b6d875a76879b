package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerFactory;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry ctl events --json} against a daemon in this JVM, reached as ferry ctl reaches it: one JSON line per event. */
class CtlEventsTest {

    @Test
    void eventsArePrintedOneJsonLineEachUntilTheDaemonStops(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path bad = conf.data().resolve("bad.ndjson");
            Files.writeString(bad, "{\"_id\": 1}\n{not json\n");
            Lines out = new Lines();
            Lines err = new Lines();
            DaemonFixture daemon = new DaemonFixture(conf, MBeanServerFactory.newMBeanServer()).start();
            try {
                Main main = new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), code -> { });
                CompletableFuture<ExitCode> events = CompletableFuture.supplyAsync(() -> main.run(new String[] {
                    "ctl", "--conf", conf.write().toString(), "--json", "events"}));
                assertTrue(err.next().startsWith("ferry: listening for job and pool events"));

                new Spooler(conf.spool()).drop("bad.json", "{\"source\": {\"type\": \"file\", \"path\": \"" + bad
                        + "\", \"format\": \"ndjson\"}, \"destination\": {\"connection\": \"dest\", \"collection\":"
                        + " \"bad\"}}");
                Document line = Document.parse(out.next());
                assertEquals("ferry.job.failed", line.getString("type"));
                assertEquals("dev.ferry:type=Orchestrator", line.getString("source"));
                Document data = line.get("data", Document.class);
                assertEquals("bad", data.getString("id"));
                assertEquals("source-error", data.getString("kind"));

                daemon.stop();
                assertEquals(ExitCode.FAILURE, events.get(30, TimeUnit.SECONDS), "the daemon went away");
            } finally {
                daemon.close();
            }
        }
    }

    /** Collects what is printed, line by line, for a test to take as it comes. */
    private static final class Lines extends OutputStream {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }

        String next() throws InterruptedException {
            String next = lines.poll(30, TimeUnit.SECONDS);
            assertNotNull(next, "nothing printed within 30 s");
            return next;
        }
    }
}
