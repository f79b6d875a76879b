package dev.ferry.sync.source;

import org.bson.BsonValue;

/**
 * Where a source stands after the last chunk it returned: what a checkpoint stores so that a resumed
 * job reads exactly the documents after the last acknowledged chunk.
 *
 * <p>{@code resumeToken} is opaque outside the source that produced it (its BSON type is kept exactly
 * by the checkpoint file): ndjson stores {@code {offset: <byte offset of the next line>, line: <lines
 * consumed>}} so that resuming is a seek; mongodb stores the last {@code _id} read; json-array and
 * inline store none and skip {@code documentsRead} documents.
 *
 * @param documentsRead documents returned so far (all chunks, across resumes)
 * @param resumeToken   source-specific resume point, or {@code null} for "skip documentsRead"
 */
public record Position(long documentsRead, BsonValue resumeToken) {

    /** The beginning of any source. */
    public static final Position START = new Position(0, null);

    public Position {
        if (documentsRead < 0) {
            throw new IllegalArgumentException("documentsRead must be >= 0, was " + documentsRead);
        }
    }
}
