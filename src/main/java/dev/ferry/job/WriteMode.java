package dev.ferry.job;

/** How a chunk is written (docs/jobs.md, "Job files"). */
public enum WriteMode {
    /** Insert new keys; documents whose key exists are skipped and counted, never an error. */
    INSERT("insert"),
    /** Replace the whole document by key, inserting when absent. */
    UPSERT("upsert"),
    /** {@code $set} the given fields by key, keeping the others; inserting when absent. */
    MERGE("merge"),
    /** Write nothing: only compare the source with the destination (docs/jobs.md, "Verify"). */
    VERIFY("verify"),
    /** Delete the destination's documents with each record's key (mongoimport's {@code --mode delete}). */
    DELETE("delete");

    private final String word;

    WriteMode(String word) {
        this.word = word;
    }

    /** The word used in job and result files. */
    public String word() {
        return word;
    }
}
