package dev.ferry.sync;

import dev.ferry.jmx.Description;
import dev.ferry.jmx.Param;

/** {@code dev.ferry:type=Orchestrator} (docs/monitoring.md, "JMX: watching and steering ferry"). Operations answer in words for JConsole and ferry ctl. */
@Description("Takes jobs from the spool and runs them. Notifications: ferry.job.done, ferry.job.failed, ferry.job.resnapshot")
public interface OrchestratorMXBean {
    @Description("true after pause(): nothing new is claimed and running jobs wait once their chunks in flight are written")
    boolean isPaused();

    @Description("jobs copied at once (the workers setting, changed by a reload); follow jobs that copied their snapshot"
            + " follow beside them")
    int getWorkers();

    @Description("job files waiting in incoming/")
    int getQueuedJobs();

    @Description("jobs running now (at most workers)")
    int getRunningJobs();

    @Description("jobs moved to done/ since the daemon started")
    long getCompletedJobs();

    @Description("jobs moved to failed/ since the daemon started, cancelled and rejected ones included")
    long getFailedJobs();

    @Description("documents written since the daemon started, all jobs")
    long getDocumentsWritten();

    @Description("chunks written since the daemon started, all jobs")
    long getChunksWritten();

    @Description("chunk attempts retried after a transient error since the daemon started, all jobs")
    long getChunkRetries();

    @Description("ids of the running jobs; each has a dev.ferry:type=Job,name=ID bean")
    String[] getRunningJobIds();

    @Description("stop claiming new jobs at once and running jobs once their chunks in flight are written; nothing fails")
    void pause();

    @Description("undo pause(): running jobs go on and new jobs are claimed again")
    void resume();

    /** Stops a running job once its chunks in flight are written (or a waiting one at once) and moves it to failed/. */
    @Description("stop the job once its chunks in flight are written (or a job waiting in incoming/ at once) and move it to"
            + " failed/ with kind cancelled")
    OperationResult cancel(@Param(name = "jobId", description = "the id of a running or waiting job") String id);

    /** Ends a follow job: applies what has arrived, saves its position, writes its result, moves it to done/. */
    @Description("end a follow job: apply the changes that have arrived, save its position, write its result and move"
            + " it to done/")
    OperationResult finish(@Param(name = "jobId", description = "the id of a running follow job") String id);

    /** Compares a following job's source and destination while it goes on following. */
    @Description("compare a following job's source and destination without stopping it; keys that differ are looked at"
            + " again once the events that arrived meanwhile are applied; the outcome shows in the Job bean's Verified,"
            + " the differing keys in active/ID.verify.ndjson")
    OperationResult verify(@Param(name = "jobId", description = "the id of a following job") String id);

    /** Moves failed/ID.json back into incoming/. */
    @Description("move failed/ID.json back into incoming/; the job runs again from its first document")
    OperationResult retry(@Param(name = "jobId", description = "the id of a job in failed/") String id);

    @Description("look into incoming/ now instead of at the next queue.rescanSeconds")
    void rescan();
}
