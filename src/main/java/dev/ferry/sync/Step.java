package dev.ferry.sync;

/** What one turn of a job's chunk loop came to (see {@link ChunkStep}). */
sealed interface Step {

    /** A chunk was written and its checkpoint submitted; the loop goes on from {@code progress}. */
    record Written(Progress progress) implements Step {
    }

    /** The source has no more documents: the job is done. */
    record Exhausted(Progress progress) implements Step {
    }

    /** Shutdown, pause-then-stop or cancel: the job stays in active/ and resumes from its checkpoint. */
    record Stopped(Progress progress) implements Step {
    }

    /** The job cannot go on; it moves to failed/. */
    record Failed(JobFailure failure) implements Step {
    }
}
