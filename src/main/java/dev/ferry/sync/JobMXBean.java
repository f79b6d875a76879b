package dev.ferry.sync;

/** {@code dev.ferry:type=Job,name=ID}, registered while the job runs (README, "JMX"). */
public interface JobMXBean {
    String getSource();

    String getDestination();

    String getState();

    long getDocumentsWritten();

    long getChunksWritten();

    long getRetries();

    String getStartedAt();

    String getLastError();

    /** {@code SNAPSHOT} or {@code FOLLOWING} for a follow job, empty for a copy job. */
    String getPhase();

    /** Change events a follow job applied (across restarts). */
    long getEventsApplied();

    /** Now minus the source time of the newest applied event; 0 when caught up and idle, or not following. */
    long getLagMillis();

    /** The source time of the newest applied event (ISO-8601), empty when none. */
    String getLastEventAt();
}
