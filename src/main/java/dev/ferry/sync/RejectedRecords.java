package dev.ferry.sync;

import dev.ferry.sync.source.Rejected;
import java.util.List;

/** Where a job's rejected records go (see {@link JobRejects}). */
interface RejectedRecords extends AutoCloseable {

    /** For a job that fails on bad records: none ever arrive. */
    RejectedRecords NONE = new RejectedRecords() {
        @Override
        public boolean append(List<Rejected> records) {
            if (!records.isEmpty()) {
                throw new IllegalStateException(records.size() + " rejected records in a job that keeps none");
            }
            return true;
        }

        @Override
        public void close() {
        }
    };

    /**
     * Stores the records durably, before the checkpoint that counts them.
     *
     * @return false if the job must stop before they could be stored
     */
    boolean append(List<Rejected> records) throws InterruptedException;

    @Override
    void close();
}
