package dev.ferry.sync.write;

import dev.ferry.sync.retry.ErrorClassifier;

/**
 * A chunk the destination will never accept as it is (a document lacks a key field, the server
 * rejected a document). Retrying does not help; the message says what to change.
 */
public class PermanentWriteException extends Exception implements ErrorClassifier.Permanent {

    private final int documentIndex;

    /** @param documentIndex 0-based index of the offending document in its chunk, or -1 */
    public PermanentWriteException(String message, int documentIndex, Throwable cause) {
        super(message, cause);
        this.documentIndex = documentIndex;
    }

    /** 0-based index of the offending document in its chunk, or -1 when not about one document. */
    public int documentIndex() {
        return documentIndex;
    }
}
