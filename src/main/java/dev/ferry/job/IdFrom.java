package dev.ferry.job;

/** Where a document without an {@code _id} gets one. */
public enum IdFrom {
    /** It keeps none: the destination assigns one (and the job's key must be present in the document). */
    NONE("none"),
    /** Made from the job id and the record's position in the source, so that a rerun writes the same ids. */
    POSITION("position");

    private final String word;

    IdFrom(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }
}
