package dev.ferry.sync;

import dev.ferry.sync.reject.RejectedFile;
import dev.ferry.sync.reject.RejectedFiles;
import dev.ferry.sync.source.Rejected;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One job's rejected-records file, written through {@link DiskRetry} like its checkpoints. */
final class JobRejects implements RejectedRecords {
    private static final Logger log = LoggerFactory.getLogger(JobRejects.class);

    private final RunningJob job;
    private final DiskRetry disk;
    private final RejectedFile file;

    private JobRejects(RunningJob job, DiskRetry disk, RejectedFile file) {
        this.job = job;
        this.disk = disk;
        this.file = file;
    }

    /**
     * Opens the file cut back to the records the checkpoint counts.
     *
     * @return empty when the job must stop before the file could be opened
     */
    static Optional<RejectedRecords> open(RunningJob job, DiskRetry disk, RejectedFiles files, long keep)
            throws InterruptedException {
        AtomicReference<RejectedFile> opened = new AtomicReference<>();
        if (!disk.durably(job, "open the rejected-records file", () -> opened.set(files.open(job.id(), keep)))) {
            return Optional.empty();
        }
        if (opened.get().incomplete()) {
            log.error("{}: {} holds fewer than the {} rejected records its checkpoint counts (changed by hand?); "
                    + "appending to it as it is", job.id(), opened.get().path(), keep);
        }
        return Optional.of(new JobRejects(job, disk, opened.get()));
    }

    @Override
    public boolean append(List<Rejected> records) throws InterruptedException {
        if (records.isEmpty()) {
            return true;
        }
        return disk.durably(job, "append " + records.size() + " rejected records", () -> file.append(records));
    }

    @Override
    public void close() {
        file.close();
    }
}
