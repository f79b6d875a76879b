package dev.ferry.daemon;

import dev.ferry.concurrent.Executors2;
import dev.ferry.concurrent.NamedThreadFactory;
import dev.ferry.config.ConfigException;
import dev.ferry.config.FerrySettings;
import dev.ferry.embedded.EmbeddedStores;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.pool.ClientFactory;
import dev.ferry.pool.PoolBean;
import dev.ferry.pool.PoolManager;
import dev.ferry.pool.PoolNotifications;
import dev.ferry.pool.PooledClient;
import dev.ferry.pool.PoolsBean;
import dev.ferry.pool.PoolMaintenance;
import dev.ferry.queue.Spool;
import dev.ferry.queue.SpoolWatcher;
import dev.ferry.sync.Orchestrator;
import dev.ferry.sync.SyncServices;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.sync.checkpoint.CheckpointStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: builds the one pool manager, scheduler, worker pool and orchestrator from the
 * settings and wires them together; {@link #close()} takes them down in reverse order.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    private static final Duration POOL_CLOSE_WAIT = Duration.ofSeconds(5);

    private final FerrySettings settings;
    private final StateDir state;
    private final InstanceLock lock;
    private final MBeanRegistrar mbeans;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService workers;
    private final ExecutorService checkpointIo;
    private final ExecutorService readAhead;
    private final ExecutorService lanes;
    private final ExecutorService followers;
    private final EmbeddedStores embedded;
    private final PoolManager pools;
    private final PoolNotifications poolEvents;
    private final Orchestrator orchestrator;
    private final JobNotifications jobEvents;
    private final RemoteJmx remoteJmx;
    private final LocalJmx localJmx;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Daemon(FerrySettings settings, StateDir state, InstanceLock lock, MBeanServer mbeanServer, Clock clock)
            throws IOException {
        this.settings = settings;
        this.state = state;
        this.lock = lock;
        this.mbeans = new MBeanRegistrar(mbeanServer);
        this.scheduler = Executors2.scheduler("ferry-scheduler", 2);
        this.workers = Executors.newFixedThreadPool(settings.workers(), new NamedThreadFactory("ferry-worker", false));
        this.checkpointIo = Executors.newFixedThreadPool(settings.workers(), new NamedThreadFactory("ferry-checkpoint", false));
        this.readAhead = Executors.newFixedThreadPool(settings.workers(), new NamedThreadFactory("ferry-read-ahead", false));
        // a thread per chunk in flight: at most the lanes of the jobs running, idle ones end after a minute
        this.lanes = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                new NamedThreadFactory("ferry-lane", false));
        // a thread per follow job that follows: workers bound the copies only
        this.followers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                new NamedThreadFactory("ferry-follow", false));
        this.embedded = new EmbeddedStores();
        this.poolEvents = new PoolNotifications(MBeanRegistrar.name("Pools"), clock);
        this.pools = new PoolManager(settings.connections().values(), PoolMaintenance.from(settings),
                ClientFactory.standard(), embedded::uriFor, scheduler, clock, poolEvents);
        this.jobEvents = new JobNotifications(MBeanRegistrar.name("Orchestrator"), clock);
        Spool spool = new Spool(settings.spoolDir());
        SpoolWatcher watcher = new SpoolWatcher(spool, settings.queueSettle(), settings.queueRescan(), clock, scheduler);
        this.orchestrator = new Orchestrator(settings, new SyncServices(spool, pools,
                new CheckpointStore(settings.stateDir().resolve("checkpoints")), checkpointIo, readAhead, lanes, followers, clock, mbeans),
                watcher, workers, scheduler, jobEvents);
        this.remoteJmx = new RemoteJmx(settings, mbeanServer);
        this.localJmx = new LocalJmx(state, mbeanServer);
    }

    /**
     * Starts everything, or nothing: a failure part-way closes what was started.
     *
     * @throws InstanceLock.AlreadyRunningException if another daemon uses the state directory
     * @throws ConfigException if a setting proves unusable only now (an unreadable JMX password file)
     */
    public static Daemon start(FerrySettings settings, MBeanServer mbeanServer, Clock clock)
            throws IOException, ConfigException, InstanceLock.AlreadyRunningException {
        StateDir state = new StateDir(settings.stateDir());
        InstanceLock lock = InstanceLock.acquire(state);
        Daemon daemon;
        try {
            daemon = new Daemon(settings, state, lock, mbeanServer, clock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        try {
            daemon.startAll();
        } catch (IOException | ConfigException | RuntimeException e) {
            daemon.close();
            throw e;
        }
        return daemon;
    }

    private void startAll() throws IOException, ConfigException {
        Map<String, String> embeddedUris = new LinkedHashMap<>();
        for (ConnectionSettings c : settings.connections().values()) {
            if (c.embedded()) {
                embeddedUris.put(c.name(), embedded.uriFor(c));
            }
        }
        state.writeEmbeddedUris(embeddedUris);
        pools.start();
        registerPoolBeans();
        remoteJmx.start();
        localJmx.start();
        mbeans.register(MBeanRegistrar.name("Orchestrator"), orchestrator, jobEvents);
        orchestrator.start();
        log.info("ferry {} started (pid {}): conf {}, spool {}, state {}, {} worker(s), connections: {}",
                version(), ProcessHandle.current().pid(), settings.confDir().toAbsolutePath(), settings.spoolDir(),
                settings.stateDir(), settings.workers(), pools.pools().stream()
                        .map(p -> p.name() + "=" + p.target()).collect(Collectors.joining(", ")));
    }

    /** The beans are views the wiring registers, so that the pool package knows nothing of JMX registration. */
    private void registerPoolBeans() {
        mbeans.register(MBeanRegistrar.name("Pools"), new PoolsBean(pools), poolEvents);
        for (PooledClient pool : pools.pools()) {
            mbeans.register(MBeanRegistrar.name("Pool", pool.name()), new PoolBean(pool));
        }
    }

    public PoolManager pools() {
        return pools;
    }

    public Orchestrator orchestrator() {
        return orchestrator;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops claiming, lets in-flight chunks finish or checkpoint within {@code shutdown.timeoutSeconds},
     * closes every pool and removes the pid file. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("ferry stopping: finishing or checkpointing jobs in flight (up to {} s)",
                settings.shutdownTimeout().toSeconds());
        try {
            orchestrator.stop(settings.shutdownTimeout());
            Executors2.shutdown("ferry-worker", workers, Duration.ofSeconds(5));
            Executors2.shutdown("ferry-follow", followers, Duration.ofSeconds(5));
            Executors2.shutdown("ferry-lane", lanes, Duration.ofSeconds(5));
            Executors2.shutdown("ferry-read-ahead", readAhead, Duration.ofSeconds(5));
            Executors2.shutdown("ferry-checkpoint", checkpointIo, Duration.ofSeconds(5));
            pools.close(POOL_CLOSE_WAIT);
            localJmx.close();
            remoteJmx.close();
            embedded.close();
            Executors2.shutdown("ferry-scheduler", scheduler, Duration.ofSeconds(5));
            mbeans.close();
            state.deletePublished();
        } finally {
            try {
                lock.close();
            } catch (IOException e) {
                log.warn("ferry: cannot remove the pid file: {}", e.toString());
            }
            log.info("ferry stopped");
            stopped.countDown();
        }
    }

    public static String version() {
        String v = Daemon.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
