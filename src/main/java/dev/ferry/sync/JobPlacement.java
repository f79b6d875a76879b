package dev.ferry.sync;

import dev.ferry.job.JobSpec;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.bson.Document;

/**
 * Where a job runs when daemons share work (docs/cluster.md): asked before a parsed job starts, whether it was claimed
 * now, found in active/ at start-up, or handed over by the cluster. Without a cluster every job runs where it was
 * claimed ({@link #LOCAL}). Called on worker threads; implementations are thread-safe.
 */
public interface JobPlacement {
    /** Every job here, for as long as it runs. */
    JobPlacement LOCAL = (spec, file, claimedNow) -> new Here(() -> true);

    /** The decision for one job. */
    sealed interface Placement permits Here, Elsewhere, EndedElsewhere, Refused {
    }

    /** Run it here while {@code holds} says so; once it says no, the job stops and stays in active/. */
    record Here(BooleanSupplier holds) implements Placement {
    }

    /** Another member runs it: its file stays in active/ here, untouched. */
    record Elsewhere(String why) implements Placement {
    }

    /** It cannot run anywhere as it is: to failed/ as a job file refused at claim. */
    record Refused(dev.ferry.job.JobRejectedException why) implements Placement {
    }

    /** It ended on another member: write its outcome here ({@code result} for done/, else the error for failed/). */
    record EndedElsewhere(boolean done, Document outcome) implements Placement {
    }

    /**
     * @param file       the job's file in active/, as the user wrote it
     * @param claimedNow true for a file just claimed from incoming/ (a new run, a retry); false for one found in
     *                   active/ (at start-up, or handed over)
     */
    Placement place(JobSpec spec, java.nio.file.Path file, boolean claimedNow);

    /**
     * A job that ran here ends: its outcome ({@code done}: the result, else the error document), told before the job
     * moves to done/ or failed/ here, so that a crash in between leaves the outcome where other members find it.
     *
     * @throws java.io.IOException when it cannot be told now; the job retries as for a disk error
     */
    default void ending(String id, boolean done, Document outcome) throws java.io.IOException {
    }

    /** A job that does not run here was asked to finish: empty when this placement knows nothing of it. */
    default Optional<OperationResult> finish(String id) {
        return Optional.empty();
    }
}
