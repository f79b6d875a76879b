package dev.ferry.sync.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.sync.write.Rejection;
import dev.ferry.sync.write.WriteOutcome;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A job's totals as its result file reports them: every way they grow keeps what was counted before. */
class CountersTest {
    private static final Counters SNAPSHOT = new Counters(3, 1, 10, 0, 0, 0, 2, 4);

    @Test
    void aChunkAddsItsWritesItsRefusedDocumentsAndOneChunk() {
        WriteOutcome outcome = new WriteOutcome(5, 1, 1, 0, 0, List.of(new Rejection(2, "duplicate email")));
        assertEquals(new Counters(4, 1, 15, 1, 1, 0, 2, 5), SNAPSHOT.plusChunk(outcome));
    }

    @Test
    void aBatchOfEventsAddsItsWritesButNoChunkAndKeepsTheSnapshotsRejectedRecords() {
        WriteOutcome replaces = new WriteOutcome(0, 2, 2, 1, 0);
        Counters after = SNAPSHOT.plusWrites(replaces);
        assertEquals(new Counters(3, 1, 10, 2, 2, 1, 2, 4), after);
        assertEquals(4, after.rejected(), "the rejected-records file is cut back to this count on a restart");
    }

    @Test
    void retriesAndRecordsTheSourceCouldNotReadAddUp() {
        assertEquals(new Counters(3, 4, 10, 0, 0, 0, 2, 4), SNAPSHOT.plusRetries(3));
        assertEquals(new Counters(3, 1, 10, 0, 0, 0, 2, 6), SNAPSHOT.plusRejected(2));
        assertEquals(SNAPSHOT, SNAPSHOT.plusRetries(0).plusRejected(0).plusWrites(WriteOutcome.NONE));
    }
}
