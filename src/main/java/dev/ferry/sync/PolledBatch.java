package dev.ferry.sync;

import dev.ferry.sync.follow.ChangeEvent;
import dev.ferry.sync.follow.EventBatch;
import java.util.List;

/**
 * Events read from a follow job's change stream, and the writes they come to once the job's filter
 * and projection are applied.
 */
record PolledBatch(EventBatch batch, List<ChangeEvent> writes) {
}
