package dev.ferry.sync;

import dev.ferry.config.FerrySettings;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.job.JobParser;
import dev.ferry.queue.JobClaim;
import dev.ferry.queue.Spool;
import dev.ferry.queue.SpoolWatcher;
import dev.ferry.pool.PoolManager;
import dev.ferry.pool.PoolState;
import dev.ferry.pool.UnknownConnectionException;
import dev.ferry.sync.OperationResult.Outcome;
import dev.ferry.sync.checkpoint.Counters;
import dev.ferry.sync.write.EventWriter;
import dev.ferry.sync.retry.Backoff;
import dev.ferry.sync.retry.ErrorClassifier;
import dev.ferry.sync.retry.RetryPolicy;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.KeyIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes jobs from the spool and runs up to {@code workers} of them at once. A job's way: the watcher
 * says a file in incoming/ has settled, {@link #dispatch()} claims it into active/ when a worker is
 * free, a {@link JobTask} syncs it chunk by chunk and moves it to done/ or failed/ (docs/architecture.md, "A job's way").
 *
 * <p>Threading: claiming is serialized by {@link #dispatch()}; each job runs on one worker thread; the
 * MXBean operations run on JMX threads and reach a running job only through its {@link RunningJob} and
 * the {@link RunGate}, which wakes whatever the job waits for.
 */
public final class Orchestrator implements OrchestratorMXBean, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Orchestrator.class);
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);

    enum State { NEW, RUNNING, STOPPING, STOPPED }

    private final Spool spool;
    private final Clock clock;
    private final MBeanRegistrar mbeans;
    private final RunGate gate = new RunGate();
    private final Totals totals = new Totals();
    private final SyncServices services;
    private final JobEvents events;
    private final ErrorClassifier classifier = new ErrorClassifier();
    /** Built from the settings; a reload builds a new one for the jobs claimed after it, running jobs keep theirs. */
    private volatile Wiring wiring;
    private final SpoolWatcher watcher;
    private volatile int workers;
    private final ExecutorService workerPool;
    private final ScheduledExecutorService scheduler;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, RunningJob> running = new ConcurrentHashMap<>();
    private final Object idle = new Object();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

    public Orchestrator(FerrySettings settings, SyncServices services, SpoolWatcher watcher,
                        ExecutorService workerPool, ScheduledExecutorService scheduler) {
        this(settings, services, watcher, workerPool, scheduler, JobEvents.NONE);
    }

    /** @param events told when a job ends in done/ or failed/ */
    public Orchestrator(FerrySettings settings, SyncServices services, SpoolWatcher watcher,
                        ExecutorService workerPool, ScheduledExecutorService scheduler, JobEvents events) {
        this.spool = services.spool();
        this.clock = services.clock();
        this.mbeans = services.mbeans();
        this.services = services;
        this.events = events;
        this.wiring = wire(settings);
        this.watcher = watcher;
        this.workers = settings.workers();
        this.workerPool = workerPool;
        this.scheduler = scheduler;
    }

    /** The way of a chunk: retry policy, stages, ledgers, the job's life. */
    private record Wiring(JobLedger.Books books, JobTask task) {
    }

    private Wiring wire(FerrySettings settings) {
        PoolManager pools = services.pools();
        RetryPolicy policy = new RetryPolicy(classifier, Backoff.of(settings), settings.retryMaxAttempts(),
                settings.secrets(), ThreadLocalRandom::current, name -> stateOf(pools, name));
        JobLedger.Books books = new JobLedger.Books(services.spool(), services.checkpoints(), services.checkpointIo(),
                policy, gate, clock, totals, events, services.placement());
        JobTask.Stages stages = new JobTask.Stages(pools, policy, new ChunkWriter(classifier), new KeyIndex(classifier),
                new EventWriter(classifier), services.readAhead(), services.lanes(), settings.jobMaxBytesInFlight(),
                services.followers(), clock, settings.verifyMaxListed());
        return new Wiring(books, new JobTask(new JobParser(settings), books, stages, gate, totals, mbeans,
                services.placement()));
    }

    /**
     * A connection a reload removed while a job claimed before it was starting: the job's next lease fails for good
     * (kind unknown-connection) instead of waiting for a pool that is not there.
     */
    private static PoolState stateOf(PoolManager pools, String name) {
        try {
            return pools.pool(name).state();
        } catch (UnknownConnectionException e) {
            return PoolState.CLOSED;
        }
    }

    /**
     * A reload (docs/operations.md, "Reloading the configuration"): jobs claimed from now on run with the new
     * settings (chunk size, lanes, retries, allowed directories, connections); running jobs keep the settings they
     * started with. A change of {@code workers} takes effect at the next claim; the caller sized the worker pool.
     *
     * @param pools applies the new connections; run under the claim lock, so that no job is claimed with the new
     *              settings before their connections exist, nor with the old ones after a connection went
     */
    public <T> T reconfigure(FerrySettings settings, java.util.function.Supplier<T> pools) {
        Wiring next = wire(settings);
        T applied;
        synchronized (this) { // dispatch() claims under this lock
            applied = pools.get();
            wiring = next;
            workers = settings.workers();
        }
        watcher.retime(settings.queueSettle(), settings.queueRescan());
        dispatch();
        return applied;
    }

    /** True while a running job reads from or writes to the connection (a reload keeps it for them). */
    public boolean usesConnection(String name) {
        return running.values().stream().anyMatch(job -> job.spec().connections().contains(name));
    }

    /** Resumes the jobs a previous daemon left in active/, then takes new ones as they settle. */
    public void start() throws IOException {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("orchestrator already " + state.get());
        }
        spool.ensureLayout();
        for (Path file : spool.activeFiles()) {
            Optional<JobClaim> claim = spool.adopt(file);
            if (claim.isPresent()) {
                log.info("{}: found in active/ at start-up; resuming it", file.getFileName());
                launch(claim.get(), false);
            }
        }
        watcher.onReady(this::dispatch);
        synchronized (tasks) {
            tasks.add(scheduler.scheduleWithFixedDelay(this::logProgress, PROGRESS_INTERVAL.toMillis(),
                    PROGRESS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS));
            // the watcher wakes dispatch on every settled file; this catches a claim that lost a race
            tasks.add(scheduler.scheduleWithFixedDelay(this::dispatch, 1, 1, TimeUnit.SECONDS));
        }
        watcher.start();
        dispatch();
    }

    /**
     * Runs a job file that is in active/ without having been claimed here now: one the cluster hands this member, or one
     * claimed here whose outcome arrived from another member (docs/cluster.md). As at start-up, the file's lock makes
     * sure one worker runs it.
     *
     * @return false when it is locked by a worker already, or the orchestrator does not run
     */
    public boolean runActive(Path file) throws IOException {
        if (state.get() != State.RUNNING) {
            return false;
        }
        Optional<JobClaim> claim = spool.adopt(file);
        if (claim.isEmpty()) {
            return false;
        }
        synchronized (this) {
            launch(claim.get(), false);
        }
        return true;
    }

    /** Ends the waits of the job of that id, if it runs here, so that it looks at whether it must stop. */
    public void wake(String id) {
        RunningJob job = running.get(id);
        if (job != null) {
            job.wake();
        }
    }

    /** Whether a job of that id runs here now. */
    public boolean runs(String id) {
        return running.containsKey(id);
    }

    /** Claims settled files while a worker is free and the orchestrator is neither paused nor stopping. */
    public void dispatch() {
        synchronized (this) {
            while (state.get() == State.RUNNING && !gate.isPaused() && inFlight.get() < workers) {
                Optional<Path> next = watcher.nextSettled();
                if (next.isEmpty()) {
                    return;
                }
                try {
                    spool.claim(next.get()).ifPresent(claim -> launch(claim, true));
                } catch (IOException e) {
                    log.error("{}: cannot claim it into {}: {}; it stays in incoming/ and is tried again",
                            next.get().getFileName(), spool.active(), e.toString());
                    return;
                }
            }
        }
    }

    private void launch(JobClaim claim, boolean claimedNow) {
        JobTask task = wiring.task();
        inFlight.incrementAndGet();
        try {
            // the slot is freed here, not by the job task: a job rejected before it started (or a task
            // that threw) must not keep its worker slot, or a few broken files would stop all claiming
            workerPool.execute(() -> {
                try {
                    // a follow job that copied its snapshot ends on its own thread: the worker is free at once
                    task.run(claim, claimedNow, job -> running.put(job.id(), job), this::ended);
                } finally {
                    release();
                    dispatch();
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down: the job stays in active/ and resumes at the next start
            claim.close();
            release();
        }
    }

    /** A job ended (in done/ or failed/, or left in active/ by a stop): stop() may be waiting for it. */
    private void ended(RunningJob job) {
        running.remove(job.id(), job);
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    private void release() {
        inFlight.decrementAndGet();
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    private void logProgress() {
        for (RunningJob job : running.values()) {
            Counters c = job.counters();
            log.info("{}: {} documents in {} chunks, {} retries, {} (since {}); {}", job.id(), job.documentsRead(),
                    c.chunks(), c.retries(), job.state(), job.startedAt(), speed(job));
        }
    }

    private static String speed(RunningJob job) {
        double progress = job.getProgress();
        long eta = job.getEtaSeconds();
        return (progress < 0 ? "progress unknown" : String.format(Locale.ROOT, "%.1f %%", progress * 100))
                + String.format(Locale.ROOT, ", %.0f documents/s", job.getDocumentsPerSecond())
                + (eta < 0 ? "" : ", about " + eta + " s left");
    }

    /**
     * Stops claiming, lets every running job finish its chunks in flight and checkpoint, and waits up to
     * {@code timeout} for them. Jobs stay in active/ and resume at the next start. Idempotent.
     *
     * @return true if every job stopped in time
     */
    public boolean stop(Duration timeout) {
        if (!state.compareAndSet(State.RUNNING, State.STOPPING) && !state.compareAndSet(State.NEW, State.STOPPING)) {
            return inFlight.get() == 0 && running.isEmpty();
        }
        gate.stop();
        watcher.close();
        synchronized (tasks) {
            tasks.forEach(t -> t.cancel(false));
            tasks.clear();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight.get() > 0 || !running.isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                try {
                    idle.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        boolean clean = inFlight.get() == 0 && running.isEmpty();
        if (!clean) {
            log.warn("orchestrator: {} job(s) still busy after {} s: {}; they resume from their checkpoints at the "
                    + "next start", Math.max(inFlight.get(), running.size()), timeout.toSeconds(), running.keySet());
        }
        mbeans.unregister(MBeanRegistrar.name("Orchestrator"));
        state.set(State.STOPPED);
        return clean;
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    // ---- OrchestratorMXBean ----

    @Override
    public int getWorkers() {
        return workers;
    }

    @Override
    public boolean isPaused() {
        return gate.isPaused();
    }

    @Override
    public int getQueuedJobs() {
        try {
            return spool.counts().incoming();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public int getRunningJobs() {
        return running.size();
    }

    @Override
    public long getCompletedJobs() {
        return totals.completedJobs.sum();
    }

    @Override
    public long getFailedJobs() {
        return totals.failedJobs.sum();
    }

    @Override
    public long getDocumentsWritten() {
        return totals.documentsWritten.sum();
    }

    @Override
    public long getChunksWritten() {
        return totals.chunksWritten.sum();
    }

    @Override
    public long getChunkRetries() {
        return totals.chunkRetries.sum();
    }

    @Override
    public String[] getRunningJobIds() {
        return running.keySet().stream().sorted().toArray(String[]::new);
    }

    @Override
    public void pause() {
        gate.pause();
        log.info("orchestrator: paused; no new claims, running jobs stop once their chunks in flight are written");
    }

    @Override
    public void resume() {
        gate.resume();
        log.info("orchestrator: resumed");
        dispatch();
    }

    @Override
    public OperationResult cancel(String id) {
        RunningJob job = running.get(id);
        if (job != null) {
            job.cancel();
            gate.signal();
            log.info("{}: cancel requested; it stops once its chunks in flight are written", id);
            return OperationResult.of(Outcome.ACCEPTED, id + ": cancelling; it stops once its chunks in flight are written and moves to failed/");
        }
        Path waiting = spool.incoming().resolve(id + ".json");
        if (JobParser.isValidId(id) && Files.exists(waiting)) {
            try {
                Optional<JobClaim> claim = spool.claim(waiting);
                if (claim.isPresent()) {
                    wiring.books().cancelledBeforeStart(claim.get(), id);
                    log.info("{}: cancelled before it started", id);
                    return OperationResult.of(Outcome.DONE, id + ": cancelled before it started; moved to failed/");
                }
            } catch (IOException e) {
                return OperationResult.of(Outcome.ERROR, "no cancel of " + id + ": " + e.getMessage());
            }
        }
        return OperationResult.of(Outcome.NOT_FOUND, "no running or waiting job with id " + id);
    }

    @Override
    public OperationResult finish(String id) {
        RunningJob job = running.get(id);
        if (job == null) {
            return services.placement().finish(id)
                    .orElseGet(() -> OperationResult.of(Outcome.NOT_FOUND, "no running job with id " + id));
        }
        if (!job.spec().follows()) {
            return OperationResult.of(Outcome.REFUSED,
                    "no finish for " + id + ": it is not a follow job; it ends by itself once its source is copied");
        }
        // a shared job's next owner must know too, should this one die before it finished
        services.placement().finish(id);
        if (job.requestFinish()) {
            gate.signal();
            log.info("{}: finish requested; it applies the changes that have arrived, then moves to done/", id);
        }
        return OperationResult.of(Outcome.ACCEPTED, id + ": finishing; it applies the changes that have arrived"
                + (job.getPhase().equals("SNAPSHOT") ? " once its snapshot is copied" : "") + ", then moves to done/");
    }

    @Override
    public OperationResult verify(String id) {
        RunningJob job = running.get(id);
        if (job == null) {
            return OperationResult.of(Outcome.NOT_FOUND, "no running job with id " + id);
        }
        Optional<String> refusal = wiring.task().verifyBeside(job);
        if (refusal.isPresent()) {
            return OperationResult.of(Outcome.REFUSED, "no verify of " + id + ": " + refusal.get());
        }
        return OperationResult.of(Outcome.ACCEPTED, id + ": comparing source and destination while it follows; its "
                + "Verified attribute shows the outcome");
    }

    @Override
    public OperationResult retry(String id) {
        if (!JobParser.isValidId(id)) {
            return OperationResult.of(Outcome.NOT_FOUND, "no job can have the id " + id);
        }
        try {
            if (spool.retry(id)) {
                log.info("{}: moved back into incoming/ by an operator", id);
                watcher.rescanNow();
                return OperationResult.of(Outcome.DONE, id + ": moved back into incoming/; it runs again from its first document");
            }
            return OperationResult.of(Outcome.NOT_FOUND, "no failed job with id " + id);
        } catch (IOException e) {
            return OperationResult.of(Outcome.ERROR, "no retry of " + id + ": " + e.getMessage());
        }
    }

    @Override
    public void rescan() {
        watcher.rescanNow();
        dispatch();
    }

    /** Totals since the daemon started, shown by the Orchestrator MXBean; added to by every job's thread. */
    static final class Totals {
        final LongAdder completedJobs = new LongAdder();
        final LongAdder failedJobs = new LongAdder();
        final LongAdder documentsWritten = new LongAdder();
        final LongAdder chunksWritten = new LongAdder();
        final LongAdder chunkRetries = new LongAdder();
    }
}
