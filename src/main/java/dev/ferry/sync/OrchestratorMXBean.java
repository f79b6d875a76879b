package dev.ferry.sync;

/** {@code dev.ferry:type=Orchestrator} (README, "JMX"). Operations answer in words for JConsole and ferry ctl. */
public interface OrchestratorMXBean {
    boolean isPaused();

    int getQueuedJobs();

    int getRunningJobs();

    long getCompletedJobs();

    long getFailedJobs();

    long getDocumentsWritten();

    long getChunksWritten();

    long getChunkRetries();

    String[] getRunningJobIds();

    void pause();

    void resume();

    /** Stops a running job after its current chunk (or a waiting one at once) and moves it to failed/. */
    String cancel(String id);

    /** Ends a follow job: applies what has arrived, saves its position, writes its result, moves it to done/. */
    String finish(String id);

    /** Moves failed/ID.json back into incoming/. */
    String retry(String id);

    void rescan();
}
