package dev.ferry.queue;

/**
 * How many job files each spool folder holds. Result and error files are not counted, nor files
 * that {@link Spool#isCandidateName(String)} rejects (temporary or hidden files).
 */
public record SpoolCounts(int incoming, int active, int done, int failed) {

    public SpoolCounts {
        if (incoming < 0 || active < 0 || done < 0 || failed < 0) {
            throw new IllegalArgumentException("counts must not be negative: incoming=" + incoming
                    + " active=" + active + " done=" + done + " failed=" + failed);
        }
    }
}
