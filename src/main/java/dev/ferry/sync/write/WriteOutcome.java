package dev.ferry.sync.write;

/**
 * What one chunk write did. Every document of the chunk is counted exactly once:
 * {@code insert} mode: {@code inserted + skipped}; {@code upsert}/{@code merge}: {@code matched + upserted}
 * (a document dropped as an in-chunk duplicate key counts as skipped resp. matched; {@code modified}
 * counts only what the server changed). Fields not used by a mode are 0, so that columns of a result
 * file add up.
 */
public record WriteOutcome(long inserted, long matched, long modified, long upserted, long skipped) {

    public static final WriteOutcome NONE = new WriteOutcome(0, 0, 0, 0, 0);

    public WriteOutcome plus(WriteOutcome other) {
        return new WriteOutcome(inserted + other.inserted, matched + other.matched, modified + other.modified,
                upserted + other.upserted, skipped + other.skipped);
    }
}
