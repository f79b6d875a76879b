package dev.ferry.sync.checkpoint;

import dev.ferry.sync.write.WriteOutcome;


/**
 * Running totals of a job, carried by its checkpoint and reported in {@code ID.result.json}.
 *
 * @param graced csv/tsv cells that did not parse as their type and that parseGrace left out or auto-cast
 */
public record Counters(long chunks, long retries, long inserted, long matched, long modified, long upserted, long skipped,
                       long rejected, long deleted, long graced) {

    public static final Counters ZERO = new Counters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** No cell let through by parseGrace. */
    public Counters(long chunks, long retries, long inserted, long matched, long modified, long upserted, long skipped,
                    long rejected, long deleted) {
        this(chunks, retries, inserted, matched, modified, upserted, skipped, rejected, deleted, 0);
    }

    /** Nothing deleted ({@code delete} mode deletes). */
    public Counters(long chunks, long retries, long inserted, long matched, long modified, long upserted, long skipped,
                    long rejected) {
        this(chunks, retries, inserted, matched, modified, upserted, skipped, rejected, 0);
    }

    /** Nothing rejected. */
    public Counters(long chunks, long retries, long inserted, long matched, long modified, long upserted, long skipped) {
        this(chunks, retries, inserted, matched, modified, upserted, skipped, 0);
    }

    /** After one more acknowledged chunk; the documents it refused count as rejected. */
    public Counters plusChunk(WriteOutcome outcome) {
        return new Counters(chunks + 1, retries, inserted + outcome.inserted(), matched + outcome.matched(),
                modified + outcome.modified(), upserted + outcome.upserted(), skipped + outcome.skipped(),
                rejected + outcome.rejected().size(), deleted + outcome.deleted(), graced);
    }

    /**
     * After a follow job's batch of events: its replaces counted, no chunk added; what the snapshot
     * rejected stays counted (its lines stay in the rejected-records file only while the count holds them).
     */
    public Counters plusWrites(WriteOutcome outcome) {
        return new Counters(chunks, retries, inserted + outcome.inserted(), matched + outcome.matched(),
                modified + outcome.modified(), upserted + outcome.upserted(), skipped + outcome.skipped(),
                rejected + outcome.rejected().size(), deleted + outcome.deleted(), graced);
    }

    public Counters plusRetries(long more) {
        return new Counters(chunks, retries + more, inserted, matched, modified, upserted, skipped, rejected, deleted,
                graced);
    }

    /** After records the source could not read were set aside. */
    public Counters plusRejected(long more) {
        return new Counters(chunks, retries, inserted, matched, modified, upserted, skipped, rejected + more, deleted,
                graced);
    }

    /** After cells that parseGrace let through (left out or auto-cast). */
    public Counters plusGraced(long more) {
        return new Counters(chunks, retries, inserted, matched, modified, upserted, skipped, rejected, deleted,
                graced + more);
    }
}
