package dev.ferry.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.Updates;
import dev.ferry.concurrent.Executors2;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.DriverPoolOptions;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.pool.ClientFactory;
import dev.ferry.pool.PoolMaintenance;
import dev.ferry.pool.PoolManager;
import dev.ferry.pool.UriResolver;
import dev.ferry.testing.MutableClock;
import dev.ferry.testing.TestMongoServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import javax.management.Notification;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two members of one cluster on one coordination server, their renewal rounds run by the test on a hand-moved clock
 * (docs/cluster.md, "Members and leases"): a lease is one member's until it expires, a takeover is announced and fences
 * the old holder out, a member that stops renewing is announced lost once, and one that leaves frees its leases at once.
 */
class ClusterLeaseEndToEndTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-08T00:00:00Z"));
    private final ScheduledThreadPoolExecutor scheduler = Executors2.scheduler("cluster-test", 1);
    private TestMongoServer server;
    private PoolManager pools;
    private final List<AutoCloseable> members = new ArrayList<>();

    /** A member and the notifications it sent. */
    private record Member(ClusterMember member, List<Notification> sent) {
    }

    @BeforeEach
    void start() {
        server = new TestMongoServer();
        pools = new PoolManager(List.of(new ConnectionSettings("coord", server.uri(), "ferrycluster",
                DriverPoolOptions.DEFAULTS)), new PoolMaintenance(Duration.ofHours(1), 3, Duration.ofHours(1),
                Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(2)), ClientFactory.standard(),
                UriResolver.DIRECT, scheduler, clock);
        pools.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable m : members) {
            m.close();
        }
        pools.close(Duration.ofSeconds(1));
        Executors2.shutdown("cluster-test", scheduler, Duration.ofSeconds(5));
        server.close();
    }

    private Member member(String name) {
        ClusterNotifications events = new ClusterNotifications(MBeanRegistrar.name("Cluster"), clock);
        List<Notification> sent = new CopyOnWriteArrayList<>();
        events.addNotificationListener((n, handback) -> sent.add(n), null, null);
        // rounds only when the test runs them: a scheduler that never runs what it is given
        ClusterMember member = new ClusterMember(new CoordinationStore(pools, "coord", "ferrycluster", "test", LEASE.dividedBy(5)), "test",
                name, LEASE, clock, org.mockito.Mockito.mock(java.util.concurrent.ScheduledExecutorService.class), events);
        members.add(member);
        return new Member(member, sent);
    }

    /** Starts a member and runs its first round, which the scheduler would run at once. */
    private static void join(Member m) {
        m.member().start();
        m.member().round();
    }

    private static List<String> types(Member m) {
        return m.sent().stream().map(Notification::getType).toList();
    }

    @Test
    void aLeaseIsOneMembersUntilItExpiresThenTheTakeoverIsAnnouncedAndFencesTheOldHolderOut() {
        Member a = member("a");
        Member b = member("b");
        join(a);
        join(b);
        List<String> lostByA = new ArrayList<>();
        assertTrue(a.member().acquire("job/x", lostByA::add).isPresent());
        assertTrue(b.member().acquire("job/x", r -> { }).isEmpty(), "held by a");

        for (int i = 0; i < 6; i++) { // two leases' time, a renewing every third of it
            clock.advance(LEASE.dividedBy(3));
            a.member().round();
        }
        assertTrue(b.member().acquire("job/x", r -> { }).isEmpty(), "a renews it");
        assertTrue(a.member().writeFenced("job/x", Updates.set("progress", 1)));

        clock.advance(LEASE.plusSeconds(1)); // a stops renewing (paused, cut off)
        assertFalse(a.member().holds("job/x"), "past its local deadline a holds nothing, before anyone may take it");
        CoordinationStore.Held taken = b.member().acquire("job/x", r -> { }).orElseThrow();
        assertEquals(java.util.Optional.of("a"), taken.previousOwner());
        assertEquals(2, taken.epoch());
        assertEquals(List.of(ClusterNotifications.TAKEOVER), types(b).stream()
                .filter(ClusterNotifications.TAKEOVER::equals).toList());
        CompositeData data = (CompositeData) b.sent().stream()
                .filter(n -> n.getType().equals(ClusterNotifications.TAKEOVER)).findFirst().orElseThrow().getUserData();
        assertEquals("a", data.get("member"));
        assertEquals("job/x", data.get("resource"));

        assertFalse(a.member().writeFenced("job/x", Updates.set("progress", 2)), "fenced: a writes no progress");
        a.member().round(); // a comes back: its renewal finds the lease taken
        assertEquals(List.of("job/x"), lostByA);
        assertTrue(b.member().writeFenced("job/x", Updates.set("progress", 3)));
        assertEquals(List.of("job/x"), Arrays.asList(b.member().getHeldLeases()));
        assertTrue(Arrays.stream(b.member().getLeases()).anyMatch(l -> l.startsWith("job/x: held by b, epoch 2")),
                Arrays.toString(b.member().getLeases()));
    }

    @Test
    void aMemberThatStopsRenewingIsAnnouncedLostOnceAndUpAgainWhenItRenews() {
        Member a = member("a");
        Member b = member("b");
        join(a);
        join(b);
        clock.advance(LEASE.plusSeconds(1));
        b.member().round();
        b.member().round();
        assertEquals(List.of(ClusterNotifications.MEMBER_LOST), types(b));
        assertEquals("a", ((CompositeData) b.sent().get(0).getUserData()).get("member"));
        assertTrue(Arrays.asList(b.member().getMembers()).stream().anyMatch(m -> m.startsWith("a (lost")),
                Arrays.toString(b.member().getMembers()));

        a.member().round(); // back
        b.member().round();
        assertTrue(Arrays.asList(b.member().getMembers()).stream().anyMatch(m -> m.startsWith("a (up")));
        clock.advance(LEASE.plusSeconds(1));
        b.member().round();
        assertEquals(2, types(b).size(), "lost again after it came back: told again");
    }

    @Test
    void aMemberThatLeavesFreesItsLeasesAtOnceAndIsNotLost() {
        Member a = member("a");
        Member b = member("b");
        join(a);
        join(b);
        assertTrue(a.member().acquire("job/y", r -> { }).isPresent());
        a.member().close();
        CoordinationStore.Held taken = b.member().acquire("job/y", r -> { }).orElseThrow();
        assertTrue(taken.previousOwner().isEmpty(), "released, not taken over");
        clock.advance(LEASE.multipliedBy(2));
        b.member().round();
        assertEquals(List.of(), types(b), "a left: neither lost nor taken over");
        assertTrue(Arrays.asList(b.member().getMembers()).stream().anyMatch(m -> m.startsWith("a (left")));
    }
}
