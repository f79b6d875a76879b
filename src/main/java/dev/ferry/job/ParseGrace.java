package dev.ferry.job;

/**
 * What a csv/tsv cell that does not parse as its column's type does ({@code source.parseGrace}, mongoimport's
 * {@code --parseGrace}; docs/jobs.md, "Typed headers and parse grace").
 */
public enum ParseGrace {
    /** The cell is read as an untyped one would be (a number if it is one, else the text) and counted. */
    AUTO_CAST("autoCast"),
    /** The field is left out of the document and counted. */
    SKIP_FIELD("skipField"),
    /** The row goes to {@code ID.rejected.ndjson} with line, column and reason, counted as rejected. */
    SKIP_ROW("skipRow"),
    /** The row is a bad record: {@code onInvalid} decides (by default the job fails naming line and column). */
    STOP("stop");

    private final String word;

    ParseGrace(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }
}
