package dev.ferry.sync;

import dev.ferry.jmx.Description;

/** {@code dev.ferry:type=Job,name=ID}, registered while the job runs (docs/monitoring.md, "JMX: watching and steering ferry"). */
@Description("One running job (registered while it runs, gone when it ends in done/ or failed/)")
public interface JobMXBean {
    @Description("where the job reads: file path and format, inline, or connection/database.collection")
    String getSource();

    @Description("where the job writes: connection/database.collection")
    String getDestination();

    @Description("STARTING, RUNNING, RETRYING, WAITING_FOR_SOURCE or WAITING_FOR_DESTINATION (that pool is DOWN),"
            + " PAUSED, FOLLOWING or WAITING_FOR_DISK")
    String getState();

    @Description("documents written and acknowledged so far, including those before a restart")
    long getDocumentsWritten();

    @Description("chunks written and checkpointed so far, including those before a restart")
    long getChunksWritten();

    @Description("chunk attempts retried after a transient error")
    long getRetries();

    @Description("when the job first started, ISO-8601 (kept across restarts)")
    String getStartedAt();

    @Description("the last error the job met, retried or not; empty if none")
    String getLastError();

    @Description("SNAPSHOT while a follow job copies the source, FOLLOWING once it applies the change stream; empty for a"
            + " copy job")
    String getPhase();

    @Description("change events a follow job applied to the destination, across restarts; 0 for a copy job")
    long getEventsApplied();

    @Description("milliseconds between now and the source time of the newest applied event; 0 when caught up and idle,"
            + " or not following")
    long getLagMillis();

    @Description("the source time (ISO-8601) of the newest change event applied; empty when none yet")
    String getLastEventAt();

    @Description("how far the job is, 0.0 to 1.0 (files: bytes read of the file's size; mongodb: documents of"
            + " those its filter matched at the start; inline: documents); -1 when unknown")
    double getProgress();

    @Description("documents written per second over the last ~10 s; 0 while the job waits or is paused")
    double getDocumentsPerSecond();

    @Description("seconds left at the speed of the last ~10 s; -1 when Progress or that speed is unknown")
    long getEtaSeconds();

    @Description("chunks (or a follow job's batches of events) the job may keep in flight at once, each on its own"
            + " lease: the job's \"lanes\", else job.lanes")
    int getLanes();

    @Description("chunks (or batches of events) written and not yet acknowledged and recorded, 0 to Lanes")
    int getChunksInFlight();

    @Description("the job's comparison of source and destination (\"verify\": true or mode verify): NONE (it"
            + " compares nothing), PENDING (not begun), SOURCE (source documents looked up in the destination),"
            + " DESTINATION (destination keys looked up in the source, for a key other than _id), DONE (compared; a"
            + " comparison beside following looks at differing keys again), EQUAL or DIFFERENT (its outcome), with the"
            + " documents compared and what differs: e.g. \"SOURCE 120000 compared, 2 missing, 0 extra, 1 different\";"
            + " FAILED and why when a comparison beside following could not finish")
    String getVerified();

    @Description("how far the comparison's current pass is, 0.0 to 1.0; -1 when unknown or not comparing")
    double getVerifyProgress();
}
