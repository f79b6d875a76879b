package dev.ferry.cli;

import java.util.Map;

/**
 * One running job as {@code ferry status} draws it, read from its Job bean. A daemon without the
 * progress attributes (an older version) gives unknown progress, rate and ETA.
 *
 * @param progress           0.0–1.0, or negative when unknown
 * @param documentsPerSecond over the daemon's last ~10 s
 * @param etaSeconds         negative when unknown
 * @param chunksInFlight     chunks written and not yet recorded
 * @param lanes              chunks the job may keep in flight; 0 when the daemon does not say
 */
record JobProgress(String id, String state, long documents, double progress, double documentsPerSecond,
                   long etaSeconds, int chunksInFlight, int lanes) {

    /** A job whose lanes are not known. */
    JobProgress(String id, String state, long documents, double progress, double documentsPerSecond, long etaSeconds) {
        this(id, state, documents, progress, documentsPerSecond, etaSeconds, 0, 0);
    }

    static JobProgress of(String id, Map<String, Object> attributes) {
        return new JobProgress(id, String.valueOf(attributes.getOrDefault("State", "?")),
                number(attributes.get("DocumentsWritten"), 0), number(attributes.get("Progress"), -1),
                number(attributes.get("DocumentsPerSecond"), 0), (long) number(attributes.get("EtaSeconds"), -1),
                (int) number(attributes.get("ChunksInFlight"), 0), (int) number(attributes.get("Lanes"), 0));
    }

    private static long number(Object value, long otherwise) {
        return value instanceof Number n ? n.longValue() : otherwise;
    }

    private static double number(Object value, double otherwise) {
        return value instanceof Number n ? n.doubleValue() : otherwise;
    }
}
