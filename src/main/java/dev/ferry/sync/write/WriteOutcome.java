package dev.ferry.sync.write;

import java.util.ArrayList;
import java.util.List;

/**
 * What one chunk write did. Every document of the chunk is counted exactly once:
 * {@code insert} mode: {@code inserted + skipped}; {@code upsert}/{@code merge}: {@code matched + upserted};
 * {@code delete} mode: {@code deleted} counts the destination's documents deleted (a key may name none or
 * several), {@code skipped} the records dropped as in-chunk duplicates of a key
 * (a document dropped as an in-chunk duplicate key counts as skipped resp. matched; a document refused
 * for good, with {@code "onInvalid": "skip"}, is in {@code rejected} and nowhere else; {@code modified}
 * counts only what the server changed). Fields not used by a mode are 0, so that columns of a result
 * file add up.
 */
public record WriteOutcome(long inserted, long matched, long modified, long upserted, long skipped,
                           List<Rejection> rejected, long deleted) {

    public static final WriteOutcome NONE = new WriteOutcome(0, 0, 0, 0, 0);

    public WriteOutcome {
        rejected = List.copyOf(rejected);
    }

    /** Nothing deleted. */
    public WriteOutcome(long inserted, long matched, long modified, long upserted, long skipped,
                        List<Rejection> rejected) {
        this(inserted, matched, modified, upserted, skipped, rejected, 0);
    }

    /** Nothing rejected. */
    public WriteOutcome(long inserted, long matched, long modified, long upserted, long skipped) {
        this(inserted, matched, modified, upserted, skipped, List.of());
    }

    public WriteOutcome plus(WriteOutcome other) {
        List<Rejection> all = new ArrayList<>(rejected);
        all.addAll(other.rejected);
        return new WriteOutcome(inserted + other.inserted, matched + other.matched, modified + other.modified,
                upserted + other.upserted, skipped + other.skipped, all, deleted + other.deleted);
    }
}
