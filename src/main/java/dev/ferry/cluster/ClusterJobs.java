package dev.ferry.cluster;

import com.mongodb.client.model.Updates;
import dev.ferry.files.DurableFile;
import dev.ferry.job.JobSpec;
import dev.ferry.queue.Spool;
import dev.ferry.sync.JobPlacement;
import dev.ferry.sync.OperationResult;
import dev.ferry.sync.Orchestrator;
import dev.ferry.sync.checkpoint.Checkpoint;
import dev.ferry.sync.checkpoint.CheckpointStore;
import dev.ferry.sync.checkpoint.Checkpoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs a cluster shares (docs/cluster.md, "Follow jobs fail over"): a follow job claimed by any member is registered
 * in {@code ferry_jobs} and runs on the member that holds its lease; its checkpoint is written through the lease (so
 * only the holder's progress counts) and kept locally too. A member whose renewals stop loses the lease and the job
 * stops there; another member takes the lease over and resumes the job from the checkpoint in the store. The job's
 * outcome goes to the store, and from there to done/ or failed/ of every member whose active/ holds its file (the one
 * that claimed it included, when it is back). Copies are not shared yet: they run where they were claimed.
 *
 * <p>Threading: {@link #place} and the checkpoint calls run on job threads, the rounds on the scheduler.
 */
public final class ClusterJobs implements JobPlacement, Checkpoints {
    private static final Logger log = LoggerFactory.getLogger(ClusterJobs.class);

    private final ClusterMember member;
    private final CoordinationStore store;
    private final Checkpoints local;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    /** Ids of the shared jobs that run here. */
    private final Set<String> here = ConcurrentHashMap.newKeySet();
    private volatile Orchestrator orchestrator;
    private volatile Spool spool;
    private volatile ScheduledFuture<?> rounds;

    public ClusterJobs(ClusterMember member, Checkpoints local, Clock clock, ScheduledExecutorService scheduler) {
        this.member = member;
        this.store = member.store();
        this.local = local;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    private static String lease(String id) {
        return "job/" + id;
    }

    /** Looks for shared jobs to take over, finish or end here every third of the lease, from now on. */
    public void start(Orchestrator orchestrator, Spool spool) {
        this.orchestrator = orchestrator;
        this.spool = spool;
        long period = member.lease().toMillis() / 3;
        rounds = scheduler.scheduleWithFixedDelay(this::guardedRound, period, period, TimeUnit.MILLISECONDS);
    }

    public void stop() {
        ScheduledFuture<?> r = rounds;
        if (r != null) {
            r.cancel(false);
        }
    }

    // ---- JobPlacement ----

    @Override
    public Placement place(JobSpec spec, Path file) {
        if (!spec.follows()) {
            return new Here(() -> true);
        }
        String id = spec.id();
        try {
            Optional<CoordinationStore.SharedJob> known = store.job(id);
            if (known.isEmpty()) {
                store.register(id, Files.readString(file, StandardCharsets.UTF_8), member.getMember(), clock.instant());
                known = store.job(id);
            }
            CoordinationStore.SharedJob job = known.orElseThrow();
            if (!job.running()) {
                return new EndedElsewhere(job.state().equals("done"), job.outcome().orElseGet(Document::new));
            }
            if (member.acquire(lease(id), this::lost).isEmpty()) {
                return new Elsewhere("another member of cluster " + member.getName() + " runs it");
            }
            here.add(id);
            return new Here(() -> member.holds(lease(id)));
        } catch (IOException | RuntimeException e) {
            // running it here unasked could run it twice: the next round places it again
            return new Elsewhere("the coordination store does not answer (" + e + "); tried again within "
                    + member.lease().dividedBy(3).toSeconds() + " s");
        }
    }

    /** The lease passed to another member (or could not be renewed): the job stops here at once. */
    private void lost(String resource) {
        String id = resource.substring("job/".length());
        here.remove(id);
        Orchestrator o = orchestrator;
        if (o != null) {
            o.wake(id);
        }
    }

    @Override
    public Optional<OperationResult> finish(String id) {
        try {
            if (store.requestFinish(id)) {
                return Optional.of(new OperationResult("ACCEPTED", true, id + ": finishing on the member of cluster "
                        + member.getName() + " that runs it; the result reaches done/ of the member that claimed it"));
            }
        } catch (RuntimeException e) {
            return Optional.of(new OperationResult("ERROR", false, "no finish of " + id + ": the coordination store "
                    + "does not answer: " + e.getMessage()));
        }
        return Optional.empty();
    }

    // ---- Checkpoints: local files, and the store through the lease for shared jobs ----

    @Override
    public void save(String jobId, Checkpoint checkpoint) throws IOException {
        local.save(jobId, checkpoint);
        if (here.contains(jobId) && !member.writeFenced(lease(jobId),
                Updates.set("checkpoint", CheckpointStore.toDocument(checkpoint)))) {
            throw new IOException(jobId + ": its lease is no longer this member's; it stops here and goes on where "
                    + "the lease is");
        }
    }

    @Override
    public Optional<Checkpoint> load(String jobId) throws IOException {
        if (here.contains(jobId)) {
            try {
                Optional<BsonDocument> shared = store.leaseData(lease(jobId), "checkpoint");
                if (shared.isPresent()) {
                    return Optional.of(CheckpointStore.fromDocument(shared.get()));
                }
            } catch (RuntimeException e) {
                throw new IOException(jobId + ": cannot read its checkpoint from the coordination store: " + e, e);
            }
        }
        return local.load(jobId);
    }

    @Override
    public void delete(String jobId) throws IOException {
        local.delete(jobId);
    }

    @Override
    public void ending(String id, boolean done, Document outcome) throws IOException {
        if (!here.contains(id)) {
            return;
        }
        try {
            store.ended(id, done, outcome); // first: a crash before the local move leaves it where others look
        } catch (RuntimeException e) {
            throw new IOException(id + ": cannot record its outcome in the coordination store: " + e, e);
        }
        here.remove(id);
        member.release(lease(id));
    }

    // ---- rounds ----

    private void guardedRound() {
        try {
            round();
        } catch (RuntimeException | IOException e) {
            log.warn("cluster {}: shared jobs' round failed: {}", member.getName(), e.toString());
        }
    }

    /** Takes over shared jobs nobody renews, passes on finish requests, and ends here the jobs that ended elsewhere. */
    void round() throws IOException {
        Orchestrator o = orchestrator;
        if (o == null) {
            return;
        }
        java.time.Instant now = clock.instant();
        java.util.Map<String, CoordinationStore.LeaseState> leases = new java.util.HashMap<>();
        store.leases().forEach(l -> leases.put(l.resource(), l));
        for (CoordinationStore.SharedJob job : store.jobs()) {
            Path file = spool.active().resolve(job.id() + ".json");
            if (o.runs(job.id())) {
                if (job.running() && job.finishRequested()) {
                    o.finish(job.id());
                }
                continue;
            }
            if (!job.running()) {
                if (Files.exists(file)) {
                    o.runActive(file); // its outcome is written here
                }
                continue;
            }
            CoordinationStore.LeaseState l = leases.get(lease(job.id()));
            boolean free = l == null || l.owner().isEmpty() || l.owner().get().equals(member.getMember())
                    || l.expiresAt().isBefore(now);
            if (free && member.acquire(lease(job.id()), this::lost).isPresent()) {
                if (!Files.exists(file)) {
                    DurableFile.write(file, job.text().getBytes(StandardCharsets.UTF_8));
                }
                // a file already locked here is starting on a worker: it keeps the lease
                if (o.runActive(file)) {
                    log.info("{}: runs here now (claimed by {})", job.id(), job.claimedBy());
                }
            }
        }
    }
}
