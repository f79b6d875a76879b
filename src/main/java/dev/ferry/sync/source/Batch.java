package dev.ferry.sync.source;

import java.util.List;
import org.bson.BsonDocument;

/**
 * What one read of a source gave: the documents, where each came from, the records left out, and
 * whether the source is at its end. A batch may hold no document but rejected records, and still not
 * be the last.
 */
public record Batch(List<BsonDocument> documents, Origins origins, List<Rejected> rejected, boolean end, Graced graced) {

    public Batch {
        if (origins.size() != documents.size()) {
            throw new IllegalArgumentException(documents.size() + " documents but " + origins.size() + " origins");
        }
        rejected = List.copyOf(rejected);
        java.util.Objects.requireNonNull(graced, "graced");
    }

    /** A batch whose cells all parsed as their types. */
    public Batch(List<BsonDocument> documents, Origins origins, List<Rejected> rejected, boolean end) {
        this(documents, origins, rejected, end, Graced.NONE);
    }

    /**
     * Cells of this batch that did not parse as their column's type and that {@code parseGrace} let through (left out
     * or auto-cast), and what to log about them: once per column per job (docs/jobs.md, "Typed headers and parse grace").
     */
    public record Graced(long cells, List<String> notices) {
        public static final Graced NONE = new Graced(0, List.of());

        public Graced {
            notices = List.copyOf(notices);
        }
    }

    /** Records consumed from the source: documents and rejected ones. */
    public int records() {
        return documents.size() + rejected.size();
    }
}
