package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.concurrent.Executors2;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerrySettings;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.pool.ClientFactory;
import dev.ferry.pool.PoolMaintenance;
import dev.ferry.pool.PoolManager;
import dev.ferry.pool.UriResolver;
import dev.ferry.queue.Spool;
import dev.ferry.queue.SpoolWatcher;
import dev.ferry.sync.checkpoint.CheckpointStore;
import dev.ferry.testing.Await;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job claimed just before a reload removes its connection (docs/operations.md, "Reloading the configuration"):
 * it ends in failed/ with kind unknown-connection, never stuck in active/ (found by review: the lease's pool lookup
 * threw out of the worker).
 */
class ReloadClaimRaceEndToEndTest {

    @Test
    void aJobClaimedBeforeItsConnectionWasRemovedFailsNamingTheConnection(@TempDir Path dir) throws Exception {
        ScheduledThreadPoolExecutor scheduler = Executors2.scheduler("race-scheduler", 2);
        ExecutorService worker = Executors.newSingleThreadExecutor();
        ExecutorService other = Executors.newCachedThreadPool();
        CountDownLatch gate = new CountDownLatch(1);
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri()).set("connection.old.uri", server.uri())
                    .set("connection.old.database", "ferrytest");
            FerrySettings before = new ConfigLoader(name -> null).load(conf.write());
            worker.execute(() -> {
                try {
                    gate.await(); // the claimed job waits for the worker thread, as behind a busy pool
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            PoolManager pools = new PoolManager(before.connections().values(), PoolMaintenance.from(before),
                    ClientFactory.standard(), UriResolver.DIRECT, scheduler, Clock.systemUTC());
            pools.start();
            Spool spool = new Spool(conf.spool());
            SpoolWatcher watcher = new SpoolWatcher(spool, Duration.ZERO, Duration.ofSeconds(1), Clock.systemUTC(),
                    scheduler);
            Orchestrator orchestrator = new Orchestrator(before, new SyncServices(spool, pools,
                    new CheckpointStore(dir.resolve("checkpoints")), other, other, other, other, Clock.systemUTC(),
                    new MBeanRegistrar(null)), watcher, worker, scheduler);
            Spooler spooler = new Spooler(conf.spool());
            spooler.drop("j.json", "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1}]},"
                    + " \"destination\": {\"connection\": \"old\", \"collection\": \"c\"}}");
            orchestrator.start();
            Await.until(Duration.ofSeconds(10), () -> Files.exists(conf.spool().resolve("active").resolve("j.json")),
                    "the job claimed");

            FerrySettings after = new ConfigLoader(name -> null).load(conf.remove("connection.old.uri")
                    .remove("connection.old.database").write());
            PoolManager.Applied applied = orchestrator.reconfigure(after, () -> pools.apply(
                    after.connections().values(), PoolMaintenance.from(after), orchestrator::usesConnection));
            assertEquals(List.of("old"), applied.removed(), "no running job used it: the job was only claimed");
            gate.countDown();

            Document error = spooler.awaitFailed("j", Duration.ofSeconds(30));
            assertEquals("unknown-connection", error.getString("kind"), error.toJson());
            assertTrue(error.getString("message").contains("'old'"), error.toJson());
            orchestrator.stop(Duration.ofSeconds(5));
            pools.close(Duration.ofSeconds(1));
        } finally {
            Executors2.shutdown("race-worker", worker, Duration.ofSeconds(5));
            Executors2.shutdown("race-other", other, Duration.ofSeconds(5));
            Executors2.shutdown("race-scheduler", scheduler, Duration.ofSeconds(5));
        }
    }
}
