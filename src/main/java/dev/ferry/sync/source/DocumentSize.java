package dev.ferry.sync.source;

import java.util.Optional;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;

/** MongoDB's limit on one document, checked where a record becomes a document. */
final class DocumentSize {
    static final int MAX_BYTES = 16 * 1024 * 1024;
    /**
     * Below this many characters of JSON or CSV text a document cannot reach the limit (a BSON value
     * takes at most about six bytes per character of its text: {@code 1,} becomes type, index name and
     * four bytes), so only larger records pay for encoding.
     */
    static final int CHECK_ABOVE_CHARS = MAX_BYTES / 7;
    private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

    private DocumentSize() {
    }

    /** @return why the document is too large; empty when it fits */
    static Optional<String> tooLarge(BsonDocument document, long textLength) {
        if (textLength < CHECK_ABOVE_CHARS) {
            return Optional.empty();
        }
        int size = new RawBsonDocument(document, CODEC).getByteBuffer().remaining();
        return size > MAX_BYTES ? Optional.of("the document is " + size + " bytes as BSON, over MongoDB's limit of "
                + MAX_BYTES + " bytes (16 MiB)") : Optional.empty();
    }
}
