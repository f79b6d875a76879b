package dev.ferry.sync;

import dev.ferry.concurrent.Executors2;
import dev.ferry.concurrent.NamedThreadFactory;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerrySettings;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.job.JobParser;
import dev.ferry.pool.ClientFactory;
import dev.ferry.pool.PoolMaintenance;
import dev.ferry.pool.PoolManager;
import dev.ferry.pool.UriResolver;
import dev.ferry.queue.JobClaim;
import dev.ferry.queue.Spool;
import dev.ferry.sync.checkpoint.CheckpointStore;
import dev.ferry.sync.write.EventWriter;
import dev.ferry.sync.retry.Backoff;
import dev.ferry.sync.retry.ErrorClassifier;
import dev.ferry.sync.retry.RetryPolicy;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.KeyIndex;
import dev.ferry.testing.FerryConf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;

/**
 * A job's world without a daemon: the configuration of {@link FerryConf}, one pool manager, the spool,
 * the checkpoints and a {@link JobTask} wired as the orchestrator wires it, in the test's own JVM.
 */
final class JobWorld implements AutoCloseable {
    final FerrySettings settings;
    final Spool spool;
    final CheckpointStore store;
    final RunGate gate = new RunGate();
    final Orchestrator.Totals totals = new Orchestrator.Totals();
    final MBeanServer mbeanServer = MBeanServerFactory.newMBeanServer();
    final ScheduledThreadPoolExecutor scheduler = Executors2.scheduler("test-scheduler", 2);
    final ExecutorService io = Executors.newSingleThreadExecutor(new NamedThreadFactory("test-checkpoint", true));
    final ExecutorService readAhead = Executors.newSingleThreadExecutor(new NamedThreadFactory("test-read-ahead", true));
    final ExecutorService lanes = Executors.newCachedThreadPool(new NamedThreadFactory("test-lane", true));
    final ExecutorService followers = Executors.newCachedThreadPool(new NamedThreadFactory("test-follow", true));
    final PoolManager pools;
    final JobLedger.Books books;
    final JobTask.Stages stages;
    final JobTask task;

    JobWorld(FerryConf conf) throws Exception {
        settings = new ConfigLoader(name -> null).load(conf.write());
        spool = new Spool(settings.spoolDir());
        spool.ensureLayout();
        store = new CheckpointStore(settings.stateDir().resolve("checkpoints"));
        pools = new PoolManager(settings.connections().values(), PoolMaintenance.from(settings),
                ClientFactory.standard(), UriResolver.DIRECT, scheduler, Clock.systemUTC());
        pools.start();
        ErrorClassifier classifier = new ErrorClassifier();
        RetryPolicy policy = new RetryPolicy(classifier, Backoff.of(settings), settings.retryMaxAttempts(),
                settings.secrets(), () -> new SplittableRandom(7), name -> pools.pool(name).state());
        books = new JobLedger.Books(spool, store, io, policy, gate, Clock.systemUTC(), totals, JobEvents.NONE);
        stages = new JobTask.Stages(pools, policy, new ChunkWriter(classifier), new KeyIndex(classifier),
                new EventWriter(classifier), readAhead, lanes, settings.jobMaxBytesInFlight(), followers, Clock.systemUTC(),
                settings.verifyMaxListed());
        task = new JobTask(new JobParser(settings), books, stages, gate, totals, new MBeanRegistrar(mbeanServer),
                JobPlacement.LOCAL);
    }

    /** Drops a job file into incoming/ and claims it, as the orchestrator does once it settled. */
    JobClaim claim(String id, String json) throws Exception {
        Path file = Files.writeString(spool.incoming().resolve(id + ".json"), json);
        return spool.claim(file).orElseThrow();
    }

    /** The claim a restarted daemon takes of a job left in active/. */
    JobClaim adopt(String id) throws Exception {
        return spool.adopt(spool.active().resolve(id + ".json")).orElseThrow();
    }

    @Override
    public void close() {
        gate.stop();
        pools.close();
        Executors2.shutdown("test-follow", followers, Duration.ofSeconds(5));
        Executors2.shutdown("test-lane", lanes, Duration.ofSeconds(5));
        Executors2.shutdown("test-read-ahead", readAhead, Duration.ofSeconds(5));
        Executors2.shutdown("test-checkpoint", io, Duration.ofSeconds(5));
        Executors2.shutdown("test-scheduler", scheduler, Duration.ofSeconds(5));
    }
}
