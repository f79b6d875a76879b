package dev.ferry.sync.source;

import java.util.List;
import org.bson.BsonDocument;

/**
 * What one read of a source gave: the documents, where each came from, the records left out, and
 * whether the source is at its end. A batch may hold no document but rejected records, and still not
 * be the last.
 */
public record Batch(List<BsonDocument> documents, Origins origins, List<Rejected> rejected, boolean end) {

    public Batch {
        if (origins.size() != documents.size()) {
            throw new IllegalArgumentException(documents.size() + " documents but " + origins.size() + " origins");
        }
        rejected = List.copyOf(rejected);
    }

    /** Records consumed from the source: documents and rejected ones. */
    public int records() {
        return documents.size() + rejected.size();
    }
}
