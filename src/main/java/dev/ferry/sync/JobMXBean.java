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
}
