package dev.ferry.bench;

import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.bson.Document;

/**
 * Benchmark 4: from the rename into incoming/ to the job's start (its {@code startedAt}, taken right
 * after the claim and the parse of the job file), with {@code queue.settleMillis=0} and the default
 * rescan of 10 s, so that only file-system events can make it fast. One drop at a time.
 */
final class ClaimLatency {
    private ClaimLatency() {
    }

    /** @return the latency of each drop in milliseconds */
    static double[] measure(Path dir, int drops) {
        double[] millis = new double[drops];
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri()).set("queue.settleMillis", "0")
                    .set("queue.rescanSeconds", "10");
            try (DaemonFixture daemon = new DaemonFixture(conf, null).start()) {
                Spooler spool = new Spooler(conf.spool());
                for (int i = 0; i < drops; i++) {
                    String id = "claim-" + i;
                    String json = "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": " + i + "}]},"
                            + " \"destination\": {\"connection\": \"dest\", \"collection\": \"claims\"}}";
                    Instant dropped = Instant.now();
                    spool.drop(id + ".json", json);
                    Document result = spool.awaitDone(id, Duration.ofSeconds(60));
                    Duration d = Duration.between(dropped, Instant.parse(result.getString("startedAt")));
                    millis[i] = d.toNanos() / 1e6;
                }
            }
        }
        return millis;
    }
}
