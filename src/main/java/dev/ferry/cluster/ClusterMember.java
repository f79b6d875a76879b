package dev.ferry.cluster;

import dev.ferry.cluster.CoordinationStore.Held;
import dev.ferry.config.FerrySettings;
import dev.ferry.pool.PoolManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This daemon as a member of its cluster (docs/cluster.md): it renews its membership and the leases it holds every third
 * of {@code cluster.leaseSeconds}, tells when another member stops renewing ({@code ferry.cluster.member.lost}) and when
 * it takes a lease over ({@code ferry.cluster.takeover}), and leaves cleanly on close, its leases released rather than
 * left to expire.
 *
 * <p>A lease is this member's only while its local deadline holds: the last renewal the store acknowledged plus four
 * fifths of the lease. Past it, the holder is told (its {@code onLost}) before the store could give the lease to another
 * member, whose clock is assumed to agree with ours to well within a fifth of the lease; writes through the lease are
 * fenced by owner and epoch in any case.
 *
 * <p>Threading: renewals run on the shared scheduler, one round at a time; {@link #acquire} and {@link #release} may be
 * called from any thread.
 */
public final class ClusterMember implements ClusterMXBean, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterMember.class);

    enum State { NEW, RUNNING, CLOSED }

    private final CoordinationStore store;
    private final String cluster;
    private final String member;
    private final Duration lease;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final ClusterNotifications events;
    private final String host;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final Map<String, Holding> held = new ConcurrentHashMap<>();
    private final Set<String> announcedLost = ConcurrentHashMap.newKeySet();
    private volatile ScheduledFuture<?> rounds;
    private volatile boolean storeFailing;
    private volatile boolean joined;
    private volatile Instant joinedAt = Instant.EPOCH;

    /** A lease this member holds, its local deadline, and whom to tell when it is lost. */
    private record Holding(Held lease, Instant validUntil, Consumer<String> onLost) {
    }

    ClusterMember(CoordinationStore store, String cluster, String member, Duration lease, Clock clock,
            ScheduledExecutorService scheduler, ClusterNotifications events) {
        this.store = store;
        this.cluster = cluster;
        this.member = member;
        this.lease = lease;
        this.clock = clock;
        this.scheduler = scheduler;
        this.events = events;
        this.host = hostName();
    }

    /** The member the settings describe, coordinating through their {@code cluster.connection}. */
    public static ClusterMember of(FerrySettings settings, PoolManager pools, Clock clock,
            ScheduledExecutorService scheduler, ClusterNotifications events) {
        String connection = settings.clusterConnection().orElseThrow(
                () -> new IllegalArgumentException("cluster.connection is not set"));
        String database = settings.connection(connection).orElseThrow().defaultDatabase().orElseThrow();
        // a fifth of the lease, but never so short that opening a connection to the store cannot fit
        java.time.Duration bound = settings.clusterLease().dividedBy(5);
        bound = bound.compareTo(java.time.Duration.ofSeconds(2)) < 0 ? java.time.Duration.ofSeconds(2) : bound;
        return new ClusterMember(new CoordinationStore(pools, connection, database, settings.clusterName(), bound),
                settings.clusterName(), settings.clusterMember(), settings.clusterLease(), clock, scheduler, events);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Joins (a first renewal now, when the store answers) and renews every third of the lease from then on. */
    public void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("cluster member already " + state.get());
        }
        joinedAt = clock.instant();
        long period = lease.toMillis() / 3;
        // the first round at once, on the cluster's scheduler: a store that does not answer never holds the start-up
        rounds = scheduler.scheduleWithFixedDelay(this::guardedRound, 0, period, TimeUnit.MILLISECONDS);
    }

    private void guardedRound() {
        try {
            round();
        } catch (RuntimeException e) {
            log.error("cluster {}: renewal round failed: {}", cluster, e.toString(), e); // the schedule goes on
        }
    }

    /**
     * One renewal round: membership, held leases, then the other members' state. Runs on the scheduler; holds the
     * member's monitor, so that {@link #close()} never interleaves with it (a round after the leave would undo it).
     */
    synchronized void round() {
        if (state.get() != State.RUNNING) {
            return;
        }
        Instant now = clock.instant();
        Instant until = now.plus(lease);
        try {
            store.heartbeat(member, now, until, host, ProcessHandle.current().pid());
            if (!joined) {
                joined = true;
                log.info("cluster {}: member {} joined (leases of {} s)", cluster, member, lease.toSeconds());
            }
            if (storeFailing) {
                log.info("cluster {}: the coordination store answers again", cluster);
                storeFailing = false;
            }
        } catch (RuntimeException e) {
            if (!storeFailing) {
                log.warn("cluster {}: cannot renew membership of {}: {}; held work stops if this lasts {} s", cluster,
                        member, e.toString(), validity().toSeconds());
                storeFailing = true;
            }
        }
        for (Holding h : held.values()) {
            renew(h, now, until);
        }
        announceLostMembers(now);
    }

    private Duration validity() {
        return lease.minus(lease.dividedBy(5));
    }

    private void renew(Holding h, Instant now, Instant until) {
        String resource = h.lease().resource();
        try {
            Optional<Held> renewed = store.renew(h.lease(), now, until);
            if (renewed.isEmpty()) {
                lost(h, "another member holds it now");
                return;
            }
            Holding next = new Holding(renewed.get(), now.plus(validity()), h.onLost());
            if (held.replace(resource, h, next)) {
                watchDeadline(next);
            }
        } catch (RuntimeException e) {
            if (clock.instant().isAfter(h.validUntil())) {
                lost(h, "not renewed since " + h.validUntil().minus(validity()) + " (" + e + ")");
            }
        }
    }

    /**
     * Tells the holder at the lease's local deadline if no renewal moved it: a round may be late (a store call that
     * hangs up to its bound), the deadline is not.
     */
    private void watchDeadline(Holding h) {
        long delay = Math.max(0, java.time.Duration.between(clock.instant(), h.validUntil()).toMillis());
        try {
            scheduler.schedule(() -> {
                if (held.get(h.lease().resource()) == h && !clock.instant().isBefore(h.validUntil())) {
                    lost(h, "not renewed by its local deadline " + h.validUntil());
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: close() releases what is held
        }
    }

    private void lost(Holding h, String why) {
        if (held.remove(h.lease().resource(), h)) {
            log.warn("cluster {}: {} lost its lease on {}: {}; its work there stops", cluster, member,
                    h.lease().resource(), why);
            h.onLost().accept(h.lease().resource());
        }
    }

    private void announceLostMembers(Instant now) {
        try {
            for (CoordinationStore.Member m : store.members()) {
                if (m.name().equals(member) || m.state().equals("left")) {
                    announcedLost.remove(m.name());
                    continue;
                }
                boolean expired = m.expiresAt().isBefore(now);
                if (!expired && m.state().equals("up")) {
                    announcedLost.remove(m.name()); // back again
                    continue;
                }
                if (expired && m.state().equals("up")) {
                    store.markLost(m.name(), now);
                }
                // a member lost long before this one joined was told then; it is not news now
                boolean recent = m.renewedAt().isAfter(joinedAt.minus(lease));
                if (recent && announcedLost.add(m.name())) {
                    log.warn("cluster {}: member {} is lost: no renewal since {}", cluster, m.name(), m.renewedAt());
                    events.memberLost(m.name(), m.renewedAt().toString());
                }
            }
        } catch (RuntimeException e) {
            log.debug("cluster {}: cannot read the members: {}", cluster, e.toString());
        }
    }

    /**
     * Takes {@code resource} if it is free, expired or already this member's.
     *
     * @param onLost told (on the scheduler's thread) if the lease is lost before it is released: stop the work
     * @return the lease, or empty when another member holds it
     */
    public Optional<Held> acquire(String resource, Consumer<String> onLost) {
        if (state.get() != State.RUNNING) {
            return Optional.empty();
        }
        Holding mine = held.get(resource);
        if (mine != null && holds(resource)) {
            return Optional.of(mine.lease()); // taking it again would raise its epoch under a renewal in flight
        }
        Instant now = clock.instant();
        Optional<Held> taken = store.acquire(resource, member, now, now.plus(lease));
        taken.ifPresent(h -> {
            Holding holding = new Holding(h, now.plus(validity()), onLost);
            held.put(resource, holding);
            watchDeadline(holding);
            h.previousOwner().ifPresent(from -> {
                log.warn("cluster {}: {} took {} over from {}, whose lease expired", cluster, member, resource, from);
                events.takeover(resource, from, member);
            });
            if (state.get() != State.RUNNING) {
                release(resource); // closed meanwhile: nobody would renew it
            }
        });
        return state.get() == State.RUNNING ? taken : Optional.empty();
    }

    /** True while this member holds {@code resource} and its local deadline has not passed. */
    public boolean holds(String resource) {
        Holding h = held.get(resource);
        return h != null && clock.instant().isBefore(h.validUntil());
    }

    /** Gives {@code resource} back at once, so that another member need not wait for it to expire. */
    public void release(String resource) {
        Holding h = held.remove(resource);
        if (h != null) {
            try {
                store.release(h.lease());
            } catch (RuntimeException e) {
                log.warn("cluster {}: cannot release {}: {}; it expires in {} s", cluster, resource, e.toString(),
                        lease.toSeconds());
            }
        }
    }

    /**
     * Writes {@code update} to the lease's document only while this member still holds it (fencing).
     *
     * @return false when the lease is lost: the caller stops
     */
    public boolean writeFenced(String resource, org.bson.conversions.Bson update) {
        Holding h = held.get(resource);
        return h != null && holds(resource) && store.fenced(h.lease(), update);
    }

    /** Leaves cleanly: the renewals stop, every held lease is released and the membership marked left. Idempotent. */
    @Override
    public synchronized void close() {
        State was = state.getAndSet(State.CLOSED);
        if (was == State.CLOSED) {
            return;
        }
        ScheduledFuture<?> r = rounds;
        if (r != null) {
            r.cancel(false);
        }
        for (String resource : Set.copyOf(held.keySet())) {
            release(resource);
        }
        if (was == State.RUNNING) {
            try {
                store.left(member, clock.instant());
                log.info("cluster {}: member {} left", cluster, member);
            } catch (RuntimeException e) {
                log.warn("cluster {}: cannot record that {} left: {}; it shows as lost after {} s", cluster, member,
                        e.toString(), lease.toSeconds());
            }
        }
    }

    CoordinationStore store() {
        return store;
    }

    Duration lease() {
        return lease;
    }

    /** The notifications the Cluster bean sends. */
    public ClusterNotifications events() {
        return events;
    }

    // ---- ClusterMXBean ----

    @Override
    public String getName() {
        return cluster;
    }

    @Override
    public String getMember() {
        return member;
    }

    @Override
    public long getLeaseSeconds() {
        return lease.toSeconds();
    }

    @Override
    public String[] getMembers() {
        try {
            return store.members().stream().map(m -> m.name() + " (" + m.state() + ", renewed " + m.renewedAt() + ")")
                    .toArray(String[]::new);
        } catch (RuntimeException e) {
            return new String[] {"(the coordination store does not answer: " + e.getMessage() + ")"};
        }
    }

    @Override
    public String[] getLeases() {
        try {
            return store.leases().stream().map(l -> l.resource() + ": " + l.owner().map(o -> "held by " + o)
                    .orElse("free") + ", epoch " + l.epoch() + ", expires " + l.expiresAt()).toArray(String[]::new);
        } catch (RuntimeException e) {
            return new String[] {"(the coordination store does not answer: " + e.getMessage() + ")"};
        }
    }

    @Override
    public String[] getHeldLeases() {
        return held.keySet().stream().sorted().toArray(String[]::new);
    }
}
