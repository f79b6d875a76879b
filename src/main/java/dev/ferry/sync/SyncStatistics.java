package dev.ferry.sync;

import java.util.concurrent.atomic.LongAdder;

/** Totals since the daemon started, shown by the Orchestrator MXBean. */
final class SyncStatistics {
    final LongAdder completedJobs = new LongAdder();
    final LongAdder failedJobs = new LongAdder();
    final LongAdder documentsWritten = new LongAdder();
    final LongAdder chunksWritten = new LongAdder();
    final LongAdder chunkRetries = new LongAdder();
}
