package dev.ferry.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.mongodb.client.MongoClient;
import com.mongodb.event.ConnectionPoolListener;
import com.mongodb.event.ServerMonitorListener;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.DriverPoolOptions;
import dev.ferry.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A reload's connections (docs/operations.md, "Reloading the configuration") with fake clients and a scheduler the
 * test watches: which clients a changed, removed or added connection opens and closes, and when.
 */
class PoolManagerReloadTest {
    private static final PoolMaintenance TIMINGS = new PoolMaintenance(Duration.ofSeconds(30), 3, Duration.ofMinutes(5),
            Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(5));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-08T00:00:00Z"));
    private final List<MongoClient> clients = new ArrayList<>();
    private final List<ConnectionSettings> opened = new ArrayList<>();
    private final ScheduledExecutorService scheduler = mock(ScheduledExecutorService.class);
    private final List<ScheduledFuture<?>> futures = new ArrayList<>();
    private final ClientFactory factory = new ClientFactory() {
        @Override
        public <L extends ConnectionPoolListener & ServerMonitorListener> MongoClient create(
                ConnectionSettings connection, String uri, L listeners) {
            MongoClient client = mock(MongoClient.class);
            clients.add(client);
            opened.add(connection);
            return client;
        }
    };

    private static ConnectionSettings connection(String name, int maxPoolSize) {
        return new ConnectionSettings(name, "mongodb://" + name + ".example/app", "app",
                new DriverPoolOptions(maxPoolSize, 0, 30_000, 10_000, 0, 10_000, true, true));
    }

    private PoolManager manager(ConnectionSettings... connections) {
        when(scheduler.scheduleWithFixedDelay(any(), anyLong(), anyLong(), any(TimeUnit.class))).thenAnswer(i -> {
            ScheduledFuture<?> f = mock(ScheduledFuture.class);
            futures.add(f);
            return f;
        });
        PoolManager manager = new PoolManager(List.of(connections), TIMINGS, factory, UriResolver.DIRECT, scheduler,
                clock);
        manager.start();
        return manager;
    }

    @Test
    void aChangedConnectionGivesNewWorkAClientWithTheNewOptionsAndClosesTheOldOneWhenItsLeaseReturns() {
        PoolManager manager = manager(connection("main", 10));
        Lease inFlight = manager.lease("main");
        PoolManager.Applied applied = manager.apply(List.of(connection("main", 7)), TIMINGS, name -> false);
        assertEquals(List.of("main"), applied.changed());
        try (Lease fresh = manager.lease("main")) {
            assertNotSame(inFlight.client(), fresh.client());
            assertEquals(7, opened.get(1).options().maxPoolSize(), "the new client is built with the new options");
        }
        assertEquals(7, manager.pool("main").connection().options().maxPoolSize(), "what the Pool bean shows");
        verify(clients.get(0), never()).close();
        inFlight.close();
        verify(clients.get(0)).close();

        manager.apply(List.of(connection("main", 7)), TIMINGS, name -> false);
        assertEquals(2, clients.size(), "the same settings again: no new client");
    }

    @Test
    void aRemovedConnectionTakesNoNewLeasesAndItsClientClosesWhenTheLastLeaseReturns() {
        PoolManager manager = manager(connection("main", 10), connection("old", 10));
        Lease last = manager.lease("old");
        PoolManager.Applied applied = manager.apply(List.of(connection("main", 10)), TIMINGS, name -> false);
        assertEquals(List.of("old"), applied.removed());
        UnknownConnectionException refused = assertThrows(UnknownConnectionException.class, () -> manager.lease("old"));
        assertTrue(refused.getMessage().contains("unknown connection 'old'"), refused.getMessage());
        verify(clients.get(0), never()).close();
        last.close();
        verify(clients.get(0)).close();
        assertEquals(List.of("main"), manager.pools().stream().map(PooledClient::name).toList());
    }

    @Test
    void aRemovedConnectionThatARunningJobUsesServesItUntilTheJobEndsThenGoesAtTheReaperRound() {
        PoolManager manager = manager(connection("main", 10), connection("old", 10));
        Set<String> used = new HashSet<>(Set.of("old"));
        PoolManager.Applied applied = manager.apply(List.of(connection("main", 10)), TIMINGS, used::contains);
        assertEquals(List.of("old"), applied.keptForJobs());
        assertEquals(List.of("main"), manager.pools().stream().map(PooledClient::name).toList(), "no longer configured");
        manager.lease("old").close(); // the running job's next chunk
        manager.reapIdleNow();
        manager.lease("old").close();
        used.clear(); // the job ended
        manager.reapIdleNow();
        assertThrows(UnknownConnectionException.class, () -> manager.lease("old"));
        verify(clients.get(0)).close();
    }

    @Test
    void anAddedConnectionLeasesAndIsHealthChecked() {
        PoolManager manager = manager(connection("main", 10));
        verify(scheduler, times(2)).scheduleWithFixedDelay(any(), anyLong(), anyLong(), any(TimeUnit.class));
        PoolManager.Applied applied = manager.apply(List.of(connection("main", 10), connection("extra", 3)), TIMINGS,
                name -> false);
        assertEquals(List.of("extra"), applied.added());
        verify(scheduler, times(3)).scheduleWithFixedDelay(any(), anyLong(), anyLong(), any(TimeUnit.class));
        try (Lease lease = manager.lease("extra")) {
            assertSame(clients.get(0), lease.client());
        }
        assertEquals("extra", opened.get(0).name());
        assertEquals(1, clients.size(), "main was not touched");
    }

    @Test
    void newHealthAndReapTimingsRescheduleEveryTaskOnceAndCancelTheOldOnes() {
        PoolManager manager = manager(connection("main", 10), connection("other", 10));
        List<ScheduledFuture<?>> before = List.copyOf(futures);
        assertEquals(3, before.size(), "a health check per pool and the reaper");
        PoolMaintenance faster = new PoolMaintenance(Duration.ofSeconds(5), 2, Duration.ofMinutes(1),
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(5));
        manager.apply(List.of(connection("main", 10), connection("other", 10)), faster, name -> false);
        verify(scheduler, times(2)).scheduleWithFixedDelay(any(), eq(5_000L), eq(5_000L), eq(TimeUnit.MILLISECONDS));
        verify(scheduler).scheduleWithFixedDelay(any(), eq(10_000L), eq(10_000L), eq(TimeUnit.MILLISECONDS));
        before.forEach(f -> verify(f).cancel(false));
        assertEquals(6, futures.size());
        assertEquals(0, clients.size(), "new timings open nothing");
    }
}
