package dev.ferry.cluster;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoWriteException;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The cluster's shared state in MongoDB (docs/cluster.md, "The coordination collections"): {@value #MEMBERS}, one
 * document per member with its last renewal, and {@value #LEASES}, one per piece of work with its owner, its expiry and
 * an epoch that grows with every change of owner. Every write is majority-acknowledged; every write of a lease's holder
 * is conditional on owner and epoch, so a member that lost a lease can no longer write through it (fencing).
 *
 * <p>Threading: stateless between calls; each call takes a lease on the cluster connection's pool, so any thread may
 * call it.
 */
public final class CoordinationStore {
    static final String MEMBERS = "ferry_members";
    static final String LEASES = "ferry_leases";
    static final String JOBS = "ferry_jobs";
    private static final int DUPLICATE_KEY = 11000;

    private final PoolManager pools;
    private final String connection;
    private final String database;
    private final String cluster;
    private final java.time.Duration timeout;

    /** A member's document as the store holds it. */
    public record Member(String name, String state, Instant renewedAt, Instant expiresAt) {
    }

    /**
     * A lease held by {@code owner}.
     *
     * @param previousOwner who held it before, when this acquisition took it from another member (a takeover)
     */
    public record Held(String resource, String owner, long epoch, Instant expiresAt, Optional<String> previousOwner) {
    }

    /** A lease as the store holds it; {@code owner} empty when free. */
    public record LeaseState(String resource, Optional<String> owner, long epoch, Instant expiresAt) {
    }

    /** @param timeout the bound on one call to the store */
    CoordinationStore(PoolManager pools, String connection, String database, String cluster, java.time.Duration timeout) {
        this.timeout = timeout;
        this.pools = pools;
        this.connection = connection;
        this.database = database;
        this.cluster = cluster;
    }

    private <T> T with(String collection, Function<MongoCollection<Document>, T> work) {
        return with(collection, Document.class, work);
    }

    private <D, T> T with(String collection, Class<D> type, Function<MongoCollection<D>, T> work) {
        try (Lease lease = pools.lease(connection)) {
            return work.apply(database(lease).getCollection(collection, type).withWriteConcern(WriteConcern.MAJORITY));
        }
    }

    /** Every call is bounded, so that a store that does not answer never holds a member past its lease's deadline. */
    private com.mongodb.client.MongoDatabase database(Lease lease) {
        return lease.database(database).withTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private String id(String name) {
        return cluster + ":" + name;
    }

    // ---- members ----

    /** Records that {@code member} is up until {@code expiresAt}. */
    void heartbeat(String member, Instant now, Instant expiresAt, String host, long pid) {
        with(MEMBERS, c -> c.updateOne(Filters.eq("_id", id(member)), Updates.combine(
                Updates.set("cluster", cluster), Updates.set("member", member), Updates.set("state", "up"),
                Updates.set("host", host), Updates.set("pid", pid), Updates.set("renewedAt", Date.from(now)),
                Updates.set("expiresAt", Date.from(expiresAt))), new UpdateOptions().upsert(true)));
    }

    /** Records that {@code member} left cleanly: it is not lost, and nothing waits for its leases to expire. */
    void left(String member, Instant now) {
        with(MEMBERS, c -> c.updateOne(Filters.eq("_id", id(member)),
                Updates.combine(Updates.set("state", "left"), Updates.set("renewedAt", Date.from(now)))));
    }

    /** Marks {@code member} lost if it is still up and its membership expired: true for the one caller that did. */
    boolean markLost(String member, Instant now) {
        return with(MEMBERS, c -> c.updateOne(Filters.and(Filters.eq("_id", id(member)), Filters.eq("state", "up"),
                Filters.lt("expiresAt", Date.from(now))), Updates.set("state", "lost")).getModifiedCount() == 1);
    }

    List<Member> members() {
        return with(MEMBERS, c -> {
            List<Member> out = new ArrayList<>();
            for (Document d : c.find(Filters.eq("cluster", cluster)).sort(Sorts.ascending("member"))) {
                out.add(new Member(d.getString("member"), d.getString("state"), d.getDate("renewedAt").toInstant(),
                        d.getDate("expiresAt").toInstant()));
            }
            return out;
        });
    }

    // ---- leases ----

    /**
     * Takes {@code resource} for {@code owner} until {@code until} if it is free, expired or already its own.
     *
     * @return empty when another member holds it
     */
    Optional<Held> acquire(String resource, String owner, Instant now, Instant until) {
        Bson free = Filters.or(Filters.eq("owner", null), Filters.eq("owner", owner),
                Filters.lt("expiresAt", Date.from(now)));
        Bson take = Updates.combine(Updates.set("cluster", cluster), Updates.set("resource", resource),
                Updates.set("owner", owner), Updates.set("renewedAt", Date.from(now)),
                Updates.set("expiresAt", Date.from(until)), Updates.inc("epoch", 1L));
        try {
            Document before = with(LEASES, c -> c.findOneAndUpdate(Filters.and(Filters.eq("_id", id(resource)), free),
                    take, new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.BEFORE)));
            long epoch = before == null ? 1 : before.get("epoch", Number.class).longValue() + 1;
            String previous = before == null ? null : before.getString("owner");
            return Optional.of(new Held(resource, owner, epoch, until,
                    previous == null || previous.equals(owner) ? Optional.empty() : Optional.of(previous)));
        } catch (MongoCommandException e) {
            if (e.getErrorCode() == DUPLICATE_KEY) {
                return Optional.empty(); // held by another: the upsert's insert met its document
            }
            throw e;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** @return the lease renewed until {@code until}, or empty if {@code held} is no longer this holder's */
    Optional<Held> renew(Held held, Instant now, Instant until) {
        boolean renewed = fenced(held, Updates.combine(Updates.set("renewedAt", Date.from(now)),
                Updates.set("expiresAt", Date.from(until))));
        return renewed ? Optional.of(new Held(held.resource(), held.owner(), held.epoch(), until, Optional.empty()))
                : Optional.empty();
    }

    /** Frees the lease at once, so that another member takes it without waiting for it to expire. */
    void release(Held held) {
        fenced(held, Updates.combine(Updates.unset("owner"), Updates.set("expiresAt", new Date(0))));
    }

    /**
     * Applies {@code update} to the lease's document only while {@code held} is still its holder's: the one way a
     * holder writes progress (fencing: a member that lost the lease writes nothing).
     *
     * @return false when the lease has passed to another member or another epoch
     */
    boolean fenced(Held held, Bson update) {
        return with(LEASES, c -> c.updateOne(Filters.and(Filters.eq("_id", id(held.resource())),
                Filters.eq("owner", held.owner()), Filters.eq("epoch", held.epoch())), update).getMatchedCount() == 1);
    }

    List<LeaseState> leases() {
        return with(LEASES, c -> {
            List<LeaseState> out = new ArrayList<>();
            for (Document d : c.find(Filters.eq("cluster", cluster)).sort(Sorts.ascending("resource"))) {
                out.add(new LeaseState(d.getString("resource"), Optional.ofNullable(d.getString("owner")),
                        d.get("epoch", Number.class).longValue(), d.getDate("expiresAt").toInstant()));
            }
            return out;
        });
    }

    // ---- jobs the cluster shares ----

    /** A shared job as the store holds it: its file's name and text, who claimed it, and how it ended. */
    public record SharedJob(String id, String fileName, String text, String claimedBy, String state,
                            Optional<Document> outcome, boolean finishRequested, List<String> members) {
        boolean running() {
            return state.equals("running");
        }
    }

    /**
     * Registers a run of a job claimed by {@code claimedBy}: a new one, or a new run of an id that ended (a retry, a
     * file dropped again). The lease's checkpoint and outcome of an earlier run go, so that the run starts afresh.
     */
    void register(String id, String fileName, String text, String claimedBy, Instant now) {
        with(JOBS, c -> c.updateOne(Filters.eq("_id", id(id)), Updates.combine(Updates.set("cluster", cluster),
                Updates.set("id", id), Updates.set("fileName", fileName), Updates.set("text", text),
                Updates.set("claimedBy", claimedBy), Updates.set("state", "running"), Updates.unset("outcome"),
                Updates.unset("finishRequested"), Updates.unset("members"), Updates.set("registeredAt", Date.from(now))),
                new UpdateOptions().upsert(true)));
        with(LEASES, c -> c.updateOne(Filters.eq("_id", id("job/" + id)),
                Updates.combine(Updates.unset("checkpoint"), Updates.unset("outcome"))));
    }

    Optional<SharedJob> job(String id) {
        return with(JOBS, c -> Optional.ofNullable(c.find(Filters.eq("_id", id(id))).first()).map(this::sharedJob));
    }

    List<SharedJob> jobs() {
        return with(JOBS, c -> {
            List<SharedJob> out = new ArrayList<>();
            for (Document d : c.find(Filters.eq("cluster", cluster))) {
                out.add(sharedJob(d));
            }
            return out;
        });
    }

    private SharedJob sharedJob(Document d) {
        return new SharedJob(d.getString("id"), d.getString("fileName"), d.getString("text"), d.getString("claimedBy"),
                d.getString("state"), Optional.ofNullable(d.get("outcome", Document.class)),
                Boolean.TRUE.equals(d.getBoolean("finishRequested")), d.getList("members", String.class, List.of()));
    }

    /** Records that {@code member} runs (a part of) the job: the result's {@code members}. */
    void ranOn(String id, String member) {
        with(JOBS, c -> c.updateOne(Filters.eq("_id", id(id)), Updates.addToSet("members", member)));
    }

    /** The job ended where it ran: done (its result) or failed (its error). */
    void ended(String id, boolean done, Document outcome) {
        with(JOBS, c -> c.updateOne(Filters.eq("_id", id(id)), Updates.combine(Updates.set("state", done ? "done"
                : "failed"), Updates.set("outcome", outcome))));
    }

    /** @return false when no running job has the id */
    boolean requestFinish(String id) {
        return with(JOBS, c -> c.updateOne(Filters.and(Filters.eq("_id", id(id)), Filters.eq("state", "running")),
                Updates.set("finishRequested", true)).getMatchedCount() == 1);
    }

    /** What the lease's holder last wrote through it under {@code field}, with its exact BSON types. */
    Optional<org.bson.BsonDocument> leaseData(String resource, String field) {
        org.bson.BsonDocument d = with(LEASES, org.bson.BsonDocument.class,
                c -> c.find(Filters.eq("_id", id(resource))).first());
        return d == null || !d.isDocument(field) ? Optional.empty() : Optional.of(d.getDocument(field));
    }
}
