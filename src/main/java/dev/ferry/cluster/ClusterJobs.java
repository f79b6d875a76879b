package dev.ferry.cluster;

import com.mongodb.client.model.Updates;
import dev.ferry.files.DurableFile;
import dev.ferry.job.JobRejectedException;
import dev.ferry.job.JobSpec;
import dev.ferry.job.SourceSpec;
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
import java.util.List;
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
    /** Ids of shared jobs whose lease this member lost while they ran here: they must not end here. */
    private final Set<String> lostHere = ConcurrentHashMap.newKeySet();
    /** Files whose placement failed because the store did not answer: the next round places them again. */
    private final Set<Path> unplaced = ConcurrentHashMap.newKeySet();
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

    /** Jobs whose source any member reaches: a mongodb source (copy or follow) or documents in the job file itself. */
    private static boolean shared(JobSpec spec) {
        return spec.source() instanceof SourceSpec.Mongo || spec.source() instanceof SourceSpec.Inline;
    }

    @Override
    public Placement place(JobSpec spec, Path file, boolean claimedNow) {
        if (!shared(spec)) {
            return new Here(() -> true);
        }
        String id = spec.id();
        Orchestrator o = orchestrator;
        if (o != null && o.runs(id)) {
            return new Elsewhere("a job with this id runs here already");
        }
        try {
            Optional<CoordinationStore.SharedJob> known = store.job(id);
            if (claimedNow && known.isPresent() && known.get().running()) {
                return new Refused(new JobRejectedException(JobRejectedException.INVALID_JOB, "id", "id: a job with id " + id
                        + " (claimed by " + known.get().claimedBy() + ") runs in cluster " + member.getName() + ": an id "
                        + "runs once at a time; finish or cancel it, or give this job another id"));
            }
            boolean fresh = claimedNow || known.isEmpty(); // a new run, or one claimed while the store did not answer
            if (!fresh) {
                CoordinationStore.SharedJob job = known.get();
                if (!job.running()) {
                    return new EndedElsewhere(job.state().equals("done"), job.outcome().orElseGet(Document::new));
                }
                Optional<BsonDocument> ended = store.leaseData(lease(id), "outcome");
                if (ended.isPresent()) { // its owner ended it and died before the job's document said so
                    Document outcome = Document.parse(ended.get().toJson());
                    boolean done = !outcome.containsKey("kind");
                    store.ended(id, done, outcome);
                    return new EndedElsewhere(done, outcome);
                }
            }
            // the lease before the registration: a member that sees the job registered finds its lease held
            if (member.acquire(lease(id), this::lost).isEmpty()) {
                return new Elsewhere("another member of cluster " + member.getName() + " runs it");
            }
            if (fresh) {
                store.register(id, file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8),
                        member.getMember(), clock.instant());
            }
            store.ranOn(id, member.getMember());
            lostHere.remove(id);
            here.add(id);
            return new Here(() -> here.contains(id) && member.holds(lease(id)));
        } catch (IOException | RuntimeException e) {
            // running it here unasked could run it twice: a round places it again
            unplaced.add(file);
            return new Elsewhere("the coordination store does not answer (" + e + "); tried again within "
                    + member.lease().dividedBy(3).toSeconds() + " s");
        }
    }

    /** The lease passed to another member (or could not be renewed): the job stops here at once. */
    private void lost(String resource) {
        String id = resource.substring("job/".length());
        if (here.remove(id)) {
            lostHere.add(id);
        }
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

    /**
     * Records the outcome through the lease first (fenced: a member that lost the job records nothing and stops), then
     * in the job's document, before the job moves to done/ or failed/ here.
     */
    @Override
    public void ending(String id, boolean done, Document outcome) throws IOException {
        if (lostHere.contains(id)) {
            throw new IOException(id + ": its lease is another member's now; the job ends there, not here");
        }
        if (!here.contains(id)) {
            return; // not shared: a copy, or a follow job of a daemon alone
        }
        try {
            // the result names every member that ran the job (a failover makes it more than one)
            store.job(id).ifPresent(job -> outcome.append("members", job.members()));
            if (!member.writeFenced(lease(id), Updates.set("outcome", outcome))) {
                throw new IOException(id + ": its lease is no longer this member's; its outcome is the new owner's");
            }
            store.ended(id, done, outcome);
        } catch (RuntimeException e) {
            throw new IOException(id + ": cannot record its outcome in the coordination store: " + e, e);
        }
        here.remove(id);
        member.release(lease(id));
    }

    // ---- Checkpoints: local files, and the store through the lease for shared jobs ----

    @Override
    public void save(String jobId, Checkpoint checkpoint) throws IOException {
        local.save(jobId, checkpoint);
        if (here.contains(jobId) && !member.writeFenced(lease(jobId),
                Updates.set("checkpoint", CheckpointStore.toDocument(checkpoint)))) {
            // fenced out: the store kept the new owner's progress; the job stops here (not a disk error to retry)
            log.warn("{}: its lease is another member's now: this checkpoint stays local, the job stops here and goes on"
                    + " where the lease is", jobId);
            lost(lease(jobId));
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
                // not an IOException: that would start the job from its first document; it stays in active/ and a
                // round runs it again
                throw new java.io.UncheckedIOException(new IOException(jobId + ": cannot read its checkpoint from the "
                        + "coordination store: " + e, e));
            }
        }
        return local.load(jobId);
    }

    @Override
    public void delete(String jobId) throws IOException {
        local.delete(jobId);
    }

    // ---- rounds ----

    private void guardedRound() {
        try {
            round();
        } catch (RuntimeException | IOException e) {
            log.warn("cluster {}: shared jobs' round failed: {}", member.getName(), e.toString());
        }
    }

    /**
     * Runs here the shared jobs whose lease is free or expired (their {@code place} takes it), passes finish requests
     * to the jobs running here, ends here the jobs that ended elsewhere, and places again the files it could not place
     * while the store did not answer.
     */
    void round() throws IOException {
        Orchestrator o = orchestrator;
        if (o == null) {
            return;
        }
        java.time.Instant now = clock.instant();
        java.util.Map<String, CoordinationStore.LeaseState> leases = new java.util.HashMap<>();
        store.leases().forEach(l -> leases.put(l.resource(), l));
        for (CoordinationStore.SharedJob job : store.jobs()) {
            String fileName = job.fileName() == null ? job.id() + ".json" : job.fileName();
            Path file = spool.active().resolve(fileName);
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
            if (!free || Files.exists(spool.failed().resolve(fileName))) {
                continue; // another member runs it, or this one could not (its parser refused the file here)
            }
            if (!Files.exists(file)) {
                DurableFile.write(file, job.text().getBytes(StandardCharsets.UTF_8));
            }
            o.runActive(file); // its place() takes the lease, or finds another member took it first
        }
        for (Path file : List.copyOf(unplaced)) {
            unplaced.remove(file);
            if (Files.exists(file)) {
                o.runActive(file);
            }
        }
    }
}
