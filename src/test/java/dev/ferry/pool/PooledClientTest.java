package dev.ferry.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
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
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * The pooled client's life cycle with a fake client factory, a hand-moved clock and a scheduler whose
 * tasks the test runs by hand: no server, no sleeps, every step observable.
 */
class PooledClientTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T00:00:00Z"));
    private final List<MongoClient> clients = new ArrayList<>();
    private final ScheduledExecutorService scheduler = mock(ScheduledExecutorService.class);
    private final ClientFactory factory = new ClientFactory() {
        @Override
        public <L extends ConnectionPoolListener & ServerMonitorListener> MongoClient create(
                ConnectionSettings connection, String uri, L listeners) {
            MongoClient client = mock(MongoClient.class);
            clients.add(client);
            return client;
        }
    };
    private final PooledClient pool = new PooledClient(
            new ConnectionSettings("main", "mongodb://db.example/app", "app", DriverPoolOptions.DEFAULTS),
            new PoolMaintenance(Duration.ofSeconds(30), 3, Duration.ofMinutes(5), Duration.ofSeconds(30),
                    Duration.ofSeconds(30), Duration.ofSeconds(5)),
            factory, UriResolver.DIRECT, scheduler, clock, PoolEvents.NONE);

    @Test
    void theFirstLeaseOpensOneClientThatEveryLaterLeaseReuses() {
        assertEquals(PoolState.CLOSED, pool.state());
        for (int i = 0; i < 100; i++) {
            try (Lease lease = pool.lease()) {
                assertSame(clients.get(0), lease.client());
            }
        }
        assertEquals(1, clients.size());
        assertEquals(1, pool.clientsOpened());
        assertEquals(PoolState.OPEN, pool.state());
        assertEquals(0, pool.leases());
    }

    @Test
    void aResetGivesNewWorkAFreshClientAndClosesTheOldOneWhenItsLeaseReturns() {
        Lease held = pool.lease();
        pool.reset();
        try (Lease fresh = pool.lease()) {
            assertNotSame(held.client(), fresh.client(), "new work moves to the new client at once");
        }
        verify(clients.get(0), never()).close();
        held.close();
        verify(clients.get(0)).close();
        verify(clients.get(1), never()).close();
        assertEquals(1, pool.resets());
        assertEquals(PoolState.OPEN, pool.state());
    }

    @Test
    void aLeaseHeldPastTheDrainTimeoutIsClosedByTheScheduledTaskAndOnlyThen() {
        ArgumentCaptor<Runnable> task = ArgumentCaptor.forClass(Runnable.class);
        when(scheduler.schedule(task.capture(), anyLong(), any(TimeUnit.class))).thenReturn(mock(ScheduledFuture.class));
        Lease stuck = pool.lease();
        pool.reset();
        verify(clients.get(0), never()).close();
        task.getValue().run(); // the drain timeout fires
        verify(clients.get(0)).close();
        stuck.close(); // returning it later closes nothing twice
        assertEquals(0, pool.leases());
    }

    @Test
    void theReaperClosesAClientOnlyAfterTheIdleTimeoutAndNeverWhileLeased() {
        pool.lease().close();
        clock.advance(Duration.ofMinutes(4));
        pool.reapIfIdle();
        assertEquals(PoolState.OPEN, pool.state(), "idle for 4 of 5 minutes");
        Lease lease = pool.lease();
        clock.advance(Duration.ofMinutes(10));
        pool.reapIfIdle();
        assertEquals(PoolState.OPEN, pool.state(), "leased: never reaped");
        lease.close();
        clock.advance(Duration.ofMinutes(5));
        pool.reapIfIdle();
        assertEquals(PoolState.CLOSED, pool.state());
        verify(clients.get(0)).close();
        assertEquals(1, pool.reaps());
        try (Lease again = pool.lease()) {
            assertSame(clients.get(1), again.client(), "the next lease reopens");
        }
    }

    @Test
    void closeRefusesNewLeasesAndClosesEveryClient() {
        pool.lease().close();
        pool.close(Duration.ZERO);
        verify(clients.get(0)).close();
        assertThrows(PoolClosedException.class, pool::lease);
        assertEquals(PoolState.CLOSED, pool.state());
    }
}
