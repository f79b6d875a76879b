package dev.ferry.sync.follow;

import com.mongodb.client.model.changestream.ChangeStreamDocument;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * One change event reduced to what the destination needs: replace the document with this {@code _id}
 * by {@code document}, delete it, or nothing.
 *
 * @param clusterTimeMillis when the source applied the change (its wall time where the server says,
 *                          else its cluster time, which counts whole seconds)
 */
public record ChangeEvent(Kind kind, BsonValue id, BsonDocument document, BsonDocument resumeToken,
                          long clusterTimeMillis) {

    public enum Kind {
        /** insert, replace or update: the destination gets the whole document. */
        UPSERT,
        DELETE,
        /** An update whose document was gone when it was looked up: the delete that follows removes it. */
        SKIP
    }

    /** Operations after which the collection the stream watches is gone or the stream is dead. */
    private static final Set<String> ENDS_STREAM = Set.of("drop", "rename", "dropDatabase", "invalidate");

    /**
     * The event's {@code _id} comes from the full document for inserts, replaces and updates (some
     * servers put the update description into an update's {@code documentKey}), from {@code documentKey}
     * for deletes.
     *
     * @throws StreamEndedException for drop, rename, dropDatabase and invalidate
     */
    public static ChangeEvent of(ChangeStreamDocument<BsonDocument> event) throws StreamEndedException {
        String operation = event.getOperationTypeString();
        BsonDocument token = event.getResumeToken();
        long millis = event.getWallTime() != null ? event.getWallTime().getValue()
                : event.getClusterTime() == null ? 0 : event.getClusterTime().getTime() * 1000L;
        if (ENDS_STREAM.contains(operation)) {
            throw new StreamEndedException(operation);
        }
        switch (operation) {
            case "insert", "replace", "update" -> {
                BsonDocument full = event.getFullDocument();
                if (full == null || !full.containsKey("_id")) {
                    return new ChangeEvent(Kind.SKIP, null, null, token, millis);
                }
                return new ChangeEvent(Kind.UPSERT, full.get("_id"), full, token, millis);
            }
            case "delete" -> {
                BsonDocument key = event.getDocumentKey();
                if (key == null || !key.containsKey("_id")) {
                    return new ChangeEvent(Kind.SKIP, null, null, token, millis);
                }
                return new ChangeEvent(Kind.DELETE, key.get("_id"), null, token, millis);
            }
            default -> {
                // index builds, collection option changes and the like change no document
                return new ChangeEvent(Kind.SKIP, null, null, token, millis);
            }
        }
    }

    /** The same change, now known to be a delete (its document left the job's filter). */
    public ChangeEvent asDelete() {
        return new ChangeEvent(Kind.DELETE, id, null, resumeToken, clusterTimeMillis);
    }

    /** The same change with the document as the job copies it (its projection applied). */
    public ChangeEvent withDocument(BsonDocument replacement) {
        return new ChangeEvent(Kind.UPSERT, id, replacement, resumeToken, clusterTimeMillis);
    }
}
