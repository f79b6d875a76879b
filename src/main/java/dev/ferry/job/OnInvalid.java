package dev.ferry.job;

/** What a job does with a record it cannot read or a document the server rejects for good. */
public enum OnInvalid {
    /** The job fails at once, naming the record. */
    FAIL("fail"),
    /** The record goes to {@code done/ID.rejected.ndjson}, is counted as {@code rejected}, and the job goes on. */
    SKIP("skip");

    private final String word;

    OnInvalid(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }
}
