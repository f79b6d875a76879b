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
        String verified = String.valueOf(attributes.getOrDefault("Verified", ""));
        String state = String.valueOf(attributes.getOrDefault("State", "?"));
        if (verified.startsWith("SOURCE ") || verified.startsWith("DESTINATION ")) {
            // comparing source and destination: the bar is the comparison's pass, not the copy's
            return new JobProgress(id, state.equals("RUNNING") ? (verified.startsWith("SOURCE") ? "VERIFY-SRC"
                    : "VERIFY-DST") : state, number(attributes.get("DocumentsWritten"), 0),
                    number(attributes.get("VerifyProgress"), -1.0), -1, -1,
                    (int) number(attributes.get("ChunksInFlight"), 0), (int) number(attributes.get("Lanes"), 0));
        }
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
