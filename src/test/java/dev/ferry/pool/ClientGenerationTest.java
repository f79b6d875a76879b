package dev.ferry.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import com.mongodb.client.MongoClient;
import org.junit.jupiter.api.Test;

/** The lease count that doubles as the close latch, one step at a time. */
class ClientGenerationTest {
    private final MongoClient client = mock(MongoClient.class);

    @Test
    void theOpenerHoldsTheFirstLeaseSoTheReaperCannotCloseAFreshClient() {
        ClientGeneration g = new ClientGeneration(client, 1, 1_000);
        assertEquals(1, g.leases());
        assertFalse(g.closeIfUnused(), "held by its opener");
        assertFalse(g.release(2_000), "a current generation is not closed by a release");
        assertEquals(2_000, g.lastUsedMillis());
        assertTrue(g.closeIfUnused());
        verify(client).close();
        assertFalse(g.tryAcquire(3_000), "no lease on a closed generation");
    }

    @Test
    void aRetiredGenerationClosesWhenItsLastLeaseReturnsAndNotBefore() {
        ClientGeneration g = new ClientGeneration(client, 1, 0);
        assertTrue(g.tryAcquire(10));
        assertEquals(2, g.leases());
        assertFalse(g.retire(), "leases are out");
        assertTrue(g.isRetired());
        assertFalse(g.release(20));
        verify(client, never()).close();
        assertTrue(g.release(30), "the last lease closes it");
        verify(client, times(1)).close();
        assertTrue(g.isClosed());
    }

    @Test
    void aRetiredGenerationWithoutLeasesClosesAtOnce() {
        ClientGeneration g = new ClientGeneration(client, 1, 0);
        g.release(0);
        assertTrue(g.retire());
        verify(client).close();
    }

    @Test
    void forceCloseClosesOnceEvenWithLeasesOutAndALaterReleaseDoesNotCloseAgain() {
        ClientGeneration g = new ClientGeneration(client, 1, 0);
        g.retire();
        g.forceClose();
        g.release(5);
        verify(client, times(1)).close();
        assertFalse(g.tryAcquireQuietly());
    }

    @Test
    void quietLeasesDoNotCountAsUse() {
        ClientGeneration g = new ClientGeneration(client, 1, 100);
        g.release(100);
        assertTrue(g.tryAcquireQuietly());
        g.releaseQuietly();
        assertEquals(100, g.lastUsedMillis(), "a health ping keeps no client from the reaper");
    }
}
