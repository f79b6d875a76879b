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

    /** Moves failed/ID.json back into incoming/. */
    String retry(String id);

    void rescan();
}
