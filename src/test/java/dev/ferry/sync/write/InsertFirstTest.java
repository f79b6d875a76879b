package dev.ferry.sync.write;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.job.WriteMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class InsertFirstTest {
    private static final List<String> ID = List.of("_id");

    @Test
    void anUpsertJobInsertsFirstWhileMostOfItsLastChunkWasNew() {
        InsertFirst plan = new InsertFirst(WriteMode.UPSERT, ID, true);
        assertTrue(plan.next(), "a first chunk is tried as inserts");
        plan.saw(10, new WriteOutcome(0, 6, 0, 4, 0));
        assertFalse(plan.next(), "most existed (a rerun): replace at once");
        plan.saw(10, new WriteOutcome(0, 0, 0, 10, 0));
        assertTrue(plan.next(), "all new again: back to inserts");
        plan.saw(10, new WriteOutcome(0, 5, 0, 5, 0));
        assertFalse(plan.next(), "half existed: an insert would cost as much as it saves");
    }

    @Test
    void anInsertJobAlwaysInsertsFirstSinceAnExistingKeyCostsItNoSecondWrite() {
        InsertFirst plan = new InsertFirst(WriteMode.INSERT, ID, true);
        plan.saw(10, new WriteOutcome(0, 0, 0, 0, 10));
        assertTrue(plan.next());
    }

    @Test
    void underAnotherKeyOnlyAUniqueIndexOnItAllowsInsertingFirstAndMergeModeNever() {
        assertFalse(new InsertFirst(WriteMode.UPSERT, List.of("sku"), false).next(),
                "an insert could add a second document per key");
        assertFalse(new InsertFirst(WriteMode.INSERT, List.of("sku", "shop"), false).next());
        assertTrue(new InsertFirst(WriteMode.UPSERT, List.of("sku", "shop"), true).next());
        assertFalse(new InsertFirst(WriteMode.MERGE, ID, true).next(), "merge keeps fields an insert would not");
    }
}
