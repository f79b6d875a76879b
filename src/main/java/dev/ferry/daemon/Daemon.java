package dev.ferry.daemon;

import dev.ferry.concurrent.Executors2;
import dev.ferry.concurrent.NamedThreadFactory;
import dev.ferry.cluster.ClusterJobs;
import dev.ferry.cluster.ClusterMember;
import dev.ferry.cluster.ClusterNotifications;
import dev.ferry.config.ConfigException;
import java.util.Optional;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.SettingsChange;
import dev.ferry.config.Redaction;
import dev.ferry.sync.OperationResult;
import dev.ferry.sync.OperationResult.Outcome;
import java.time.Instant;
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
import java.util.concurrent.LinkedBlockingQueue;
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
 * settings and wires them together; {@link #reload()} hands them a re-read configuration; {@link #close()}
 * takes them down in reverse order.
 *
 * <p>Threading: {@link #reload()} runs on a JMX or signal thread, one at a time (the object's monitor); the
 * parts it reconfigures are each safe to change while jobs run.
 */
public final class Daemon implements DaemonMXBean, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    private static final Duration POOL_CLOSE_WAIT = Duration.ofSeconds(5);

    /** Reads the configuration again: the same file and environment as at start. */
    @FunctionalInterface
    public interface SettingsSource {
        FerrySettings load() throws ConfigException;
    }

    /** What the daemon runs with now: the last configuration loaded, its restart-only keys as at start. */
    private volatile FerrySettings settings;
    private final SettingsSource source;
    private final Clock clock;
    private final Instant startedAt;
    private volatile Instant configLoadedAt;
    private volatile String lastReload = "";
    private final java.util.concurrent.atomic.AtomicLong reloads = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong reloadsRefused = new java.util.concurrent.atomic.AtomicLong();
    private final ConfigNotifications configEvents;
    private final StateDir state;
    private final InstanceLock lock;
    private final MBeanRegistrar mbeans;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor checkpointIo;
    private final ThreadPoolExecutor readAhead;
    private final ExecutorService lanes;
    private final ExecutorService followers;
    private final EmbeddedStores embedded;
    private final PoolManager pools;
    private final PoolNotifications poolEvents;
    private final Orchestrator orchestrator;
    private final JobNotifications jobEvents;
    private final RemoteJmx remoteJmx;
    /** Present when {@code cluster.connection} is set (docs/cluster.md). */
    private final Optional<ClusterMember> cluster;
    private final Optional<ClusterJobs> clusterJobs;
    private final Optional<ScheduledThreadPoolExecutor> clusterScheduler;
    private final Spool spool;
    private final LocalJmx localJmx;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Daemon(FerrySettings settings, SettingsSource source, StateDir state, InstanceLock lock,
            MBeanServer mbeanServer, Clock clock) throws IOException {
        this.settings = settings;
        this.source = source;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.configLoadedAt = startedAt;
        this.configEvents = new ConfigNotifications(MBeanRegistrar.name("Daemon"), clock);
        this.state = state;
        this.lock = lock;
        this.mbeans = new MBeanRegistrar(mbeanServer);
        this.scheduler = Executors2.scheduler("ferry-scheduler", 2);
        // sized by workers, resized by a reload (see resize)
        this.workers = fixedPool("ferry-worker", settings.workers());
        this.checkpointIo = fixedPool("ferry-checkpoint", settings.workers());
        this.readAhead = fixedPool("ferry-read-ahead", settings.workers());
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
        pools.onRemoved(name -> mbeans.unregister(MBeanRegistrar.name("Pool", name)));
        this.jobEvents = new JobNotifications(MBeanRegistrar.name("Orchestrator"), clock);
        this.spool = new Spool(settings.spoolDir());
        SpoolWatcher watcher = new SpoolWatcher(spool, settings.queueSettle(), settings.queueRescan(), clock, scheduler);
        CheckpointStore checkpoints = new CheckpointStore(settings.stateDir().resolve("checkpoints"));
        // the cluster's rounds wait on a remote store: a scheduler of their own, so that they never delay the pools'
        this.clusterScheduler = settings.clusterConnection().map(c -> Executors2.scheduler("ferry-cluster", 1));
        this.cluster = clusterScheduler.map(s -> ClusterMember.of(settings, pools, clock, s,
                new ClusterNotifications(MBeanRegistrar.name("Cluster"), clock)));
        // in a cluster, follow jobs run where their lease is and checkpoint through it (docs/cluster.md)
        this.clusterJobs = cluster.map(c -> new ClusterJobs(c, checkpoints, clock, clusterScheduler.orElseThrow()));
        SyncServices services = clusterJobs.map(j -> new SyncServices(spool, pools, j, checkpointIo, readAhead, lanes,
                followers, clock, mbeans, j)).orElseGet(() -> new SyncServices(spool, pools, checkpoints, checkpointIo,
                readAhead, lanes, followers, clock, mbeans));
        this.orchestrator = new Orchestrator(settings, services, watcher, workers, scheduler, jobEvents);
        this.remoteJmx = new RemoteJmx(settings, mbeanServer);
        this.localJmx = new LocalJmx(state, mbeanServer);
    }

    private static ThreadPoolExecutor fixedPool(String name, int threads) {
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new NamedThreadFactory(name, false));
    }

    /** Threads beyond the new size end once their task is done; a larger pool starts threads as work comes. */
    private static void resize(ThreadPoolExecutor pool, int threads) {
        if (threads > pool.getMaximumPoolSize()) {
            pool.setMaximumPoolSize(threads);
            pool.setCorePoolSize(threads);
        } else {
            pool.setCorePoolSize(threads);
            pool.setMaximumPoolSize(threads);
        }
    }

    /** Starts a daemon whose reload reads {@code settings.confDir()} again with the process environment. */
    public static Daemon start(FerrySettings settings, MBeanServer mbeanServer, Clock clock)
            throws IOException, ConfigException, InstanceLock.AlreadyRunningException {
        return start(settings, () -> new ConfigLoader().load(settings.confDir()), mbeanServer, clock);
    }

    /**
     * Starts everything, or nothing: a failure part-way closes what was started.
     *
     * @param source what {@link #reload()} reads
     * @throws InstanceLock.AlreadyRunningException if another daemon uses the state directory
     * @throws ConfigException if a setting proves unusable only now (an unreadable JMX password file)
     */
    public static Daemon start(FerrySettings settings, SettingsSource source, MBeanServer mbeanServer, Clock clock)
            throws IOException, ConfigException, InstanceLock.AlreadyRunningException {
        StateDir state = new StateDir(settings.stateDir());
        InstanceLock lock = InstanceLock.acquire(state);
        Daemon daemon;
        try {
            daemon = new Daemon(settings, source, state, lock, mbeanServer, clock);
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
        publishEmbeddedUris(settings);
        pools.start();
        registerPoolBeans();
        remoteJmx.start();
        localJmx.start();
        mbeans.register(MBeanRegistrar.name("Daemon"), this, configEvents);
        if (cluster.isPresent()) {
            cluster.get().start();
            mbeans.register(MBeanRegistrar.name("Cluster"), cluster.get(), cluster.get().events());
        }
        mbeans.register(MBeanRegistrar.name("Orchestrator"), orchestrator, jobEvents);
        orchestrator.start();
        clusterJobs.ifPresent(j -> j.start(orchestrator, spool));
        log.info("ferry {} started (pid {}): conf {}, spool {}, state {}, {} worker(s), connections: {}",
                version(), ProcessHandle.current().pid(), settings.confDir().toAbsolutePath(), settings.spoolDir(),
                settings.stateDir(), settings.workers(), pools.pools().stream()
                        .map(p -> p.name() + "=" + p.target()).collect(Collectors.joining(", ")));
    }

    /** Starts the embedded stores (a failure is the caller's to report) and tells the CLI their loopback ports. */
    private void publishEmbeddedUris(FerrySettings s) throws IOException {
        Map<String, String> embeddedUris = new LinkedHashMap<>();
        for (ConnectionSettings c : s.connections().values()) {
            if (c.embedded()) {
                embeddedUris.put(c.name(), embedded.uriFor(c));
            }
        }
        state.writeEmbeddedUris(embeddedUris);
    }

    /** The beans are views the wiring registers, so that the pool package knows nothing of JMX registration. */
    private void registerPoolBeans() {
        mbeans.register(MBeanRegistrar.name("Pools"), new PoolsBean(pools), poolEvents);
        for (PooledClient pool : pools.pools()) {
            mbeans.register(MBeanRegistrar.name("Pool", pool.name()), new PoolBean(pool));
        }
    }

    /**
     * Re-reads the configuration and applies it (docs/operations.md, "Reloading the configuration"). An invalid file
     * changes nothing: the daemon runs on, the journal and a {@code ferry.config.rejected} notification say why.
     */
    @Override
    public synchronized OperationResult reload() {
        if (closed.get()) { // close() sets it under this monitor: no reload runs into a shutdown
            return OperationResult.of(Outcome.REFUSED, "ferry is stopping: no reload");
        }
        String file = settings.confDir().resolve(ConfigLoader.FILE_NAME).toString();
        FerrySettings loaded;
        try {
            loaded = source.load();
            publishEmbeddedUris(loaded);
        } catch (ConfigException | IOException | RuntimeException e) {
            String why = Redaction.text(e instanceof ConfigException ? e.getMessage() : file + ": " + e,
                    settings.secrets());
            log.error("ferry: reload refused, nothing changed: {}", why);
            lastReload = clock.instant() + ": refused: " + why;
            reloadsRefused.incrementAndGet();
            configEvents.rejected(file, why);
            return OperationResult.of(Outcome.REFUSED, "reload refused, nothing changed: " + why);
        }
        FerrySettings before = settings;
        SettingsChange change = SettingsChange.between(before, loaded);
        FerrySettings next = loaded.keepingRestartOnlyOf(before);
        PoolManager.Applied applied;
        try {
            applied = apply(before, next, change);
        } catch (RuntimeException e) {
            String why = Redaction.text(e.toString(), next.secrets());
            log.error("ferry: reload failed part-way ({}); what it applied stays, a restart applies the whole file",
                    why, e);
            lastReload = clock.instant() + ": failed part-way: " + why;
            return OperationResult.of(Outcome.ERROR, "reload failed part-way: " + why + "; restart ferry to apply "
                    + file);
        }
        settings = next;
        configLoadedAt = clock.instant();
        String message = change.describe() + (applied.keptForJobs().isEmpty() ? "" : "; "
                + String.join(", ", applied.keptForJobs()) + ": still used by running jobs, removed once they end");
        log.info("ferry: reloaded {}: {}", file, message);
        lastReload = configLoadedAt + ": " + message;
        reloads.incrementAndGet();
        configEvents.reloaded(file, message);
        return OperationResult.of(Outcome.DONE, "reloaded " + file + ": " + message);
    }

    private PoolManager.Applied apply(FerrySettings before, FerrySettings next, SettingsChange change) {
        if (next.workers() > before.workers()) {
            resizeWorkers(next.workers()); // before the orchestrator claims more
        }
        // the cluster's connection serves the member as long as it runs, whatever the file says now
        PoolManager.Applied applied = orchestrator.reconfigure(next, () -> pools.apply(next.connections().values(),
                PoolMaintenance.from(next), name -> orchestrator.usesConnection(name)
                        || next.clusterConnection().filter(name::equals).isPresent()));
        for (String name : change.connectionsAdded()) { // one back before its jobs let it go gets its bean anew
            mbeans.register(MBeanRegistrar.name("Pool", name), new PoolBean(pools.pool(name)));
        }
        // a connection kept for its running jobs keeps its bean until the pool goes (see PoolManager.onRemoved)
        applied.removed().forEach(name -> mbeans.unregister(MBeanRegistrar.name("Pool", name)));
        if (next.workers() < before.workers()) {
            resizeWorkers(next.workers()); // running jobs keep their threads until they end
        }
        return applied;
    }

    private void resizeWorkers(int n) {
        resize(workers, n);
        resize(checkpointIo, n);
        resize(readAhead, n);
    }

    // ---- DaemonMXBean ----

    @Override
    public String getVersion() {
        return version();
    }

    @Override
    public long getReloads() {
        return reloads.get();
    }

    @Override
    public long getReloadsRefused() {
        return reloadsRefused.get();
    }

    @Override
    public String getStartedAt() {
        return startedAt.toString();
    }

    @Override
    public String getConfigFile() {
        return settings.confDir().resolve(ConfigLoader.FILE_NAME).toAbsolutePath().toString();
    }

    @Override
    public String getConfigLoadedAt() {
        return configLoadedAt.toString();
    }

    @Override
    public String getLastReload() {
        return lastReload;
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
        synchronized (this) { // waits for a reload in progress; a later one sees closed
            if (!closed.compareAndSet(false, true)) {
                return;
            }
        }
        log.info("ferry stopping: finishing or checkpointing jobs in flight (up to {} s)",
                settings.shutdownTimeout().toSeconds());
        try {
            clusterJobs.ifPresent(ClusterJobs::stop);
            orchestrator.stop(settings.shutdownTimeout());
            Executors2.shutdown("ferry-worker", workers, Duration.ofSeconds(5));
            Executors2.shutdown("ferry-follow", followers, Duration.ofSeconds(5));
            Executors2.shutdown("ferry-lane", lanes, Duration.ofSeconds(5));
            Executors2.shutdown("ferry-read-ahead", readAhead, Duration.ofSeconds(5));
            Executors2.shutdown("ferry-checkpoint", checkpointIo, Duration.ofSeconds(5));
            cluster.ifPresent(ClusterMember::close); // its leases released, not left to expire
            clusterScheduler.ifPresent(s -> Executors2.shutdown("ferry-cluster", s, Duration.ofSeconds(5)));
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
