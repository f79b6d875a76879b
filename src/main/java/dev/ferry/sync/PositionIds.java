package dev.ferry.sync;

import dev.ferry.sync.source.Origins;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonObjectId;
import org.bson.types.ObjectId;

/**
 * {@code "idFrom": "position"}: a document without an {@code _id} gets an ObjectId made from the
 * first 12 bytes of SHA-256 over the job id and the record's place in the source ({@code line 17},
 * {@code element 5}). A resumed or rerun job thus writes the same ids and never a document twice.
 * Such ids carry no creation time: their time part is hash bytes.
 */
final class PositionIds {
    private final String jobId;

    PositionIds(String jobId) {
        this.jobId = jobId;
    }

    void assign(List<BsonDocument> documents, Origins origins) {
        for (int i = 0; i < documents.size(); i++) {
            BsonDocument document = documents.get(i);
            if (!document.containsKey("_id")) {
                // _id first, as the server would put it
                BsonDocument copy = new BsonDocument("_id", new BsonObjectId(idOf(origins.unit(), origins.number(i))));
                copy.putAll(document);
                documents.set(i, copy);
            }
        }
    }

    ObjectId idOf(String unit, long number) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((jobId + "\u0000" + unit + "\u0000" + number).getBytes(StandardCharsets.UTF_8));
            return new ObjectId(Arrays.copyOf(digest, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
