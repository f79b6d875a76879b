package dev.ferry.sync.retry;

import dev.ferry.sync.write.PermanentWriteException;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoCredential;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoServerUnavailableException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.WriteConcernError;
import dev.ferry.sync.source.SourceException;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

class ErrorClassifierTest {

    private final ErrorClassifier classifier = new ErrorClassifier();
    private static final ServerAddress HOST = new ServerAddress("db.example", 27017);

    private static MongoCommandException command(int code) {
        return new MongoCommandException(BsonDocument.parse("{ok: 0, code: " + code + ", errmsg: 'boom " + code + "'}"), HOST);
    }

    private static MongoBulkWriteException bulk(List<Integer> codes, WriteConcernError wce) {
        List<BulkWriteError> errors = new java.util.ArrayList<>();
        for (int i = 0; i < codes.size(); i++) {
            errors.add(new BulkWriteError(codes.get(i), "error " + codes.get(i), new BsonDocument(), i));
        }
        return new MongoBulkWriteException(BulkWriteResult.unacknowledged(), errors, wce, HOST, Set.of());
    }

    @Test
    void networkSelectionElectionAndTimeLimitErrorsAreTransient() {
        assertTrue(classifier.isTransient(new MongoSocketOpenException("refused", HOST, new IOException("x"))));
        assertTrue(classifier.isTransient(new MongoSocketReadTimeoutException("slow", HOST, new IOException("x"))));
        assertTrue(classifier.isTransient(new MongoTimeoutException("no server")));
        assertTrue(classifier.isTransient(new MongoExecutionTimeoutException(50, "maxTimeMS")));
        assertTrue(classifier.isTransient(new MongoNotPrimaryException(BsonDocument.parse("{ok: 0, code: 10107}"), HOST)));
        assertTrue(classifier.isTransient(new MongoNodeIsRecoveringException(BsonDocument.parse("{ok: 0, code: 11600}"), HOST)));
        for (int code : List.of(6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 63, 150, 234, 11601)) {
            assertTrue(classifier.isTransient(command(code)), "code " + code);
        }
    }

    @Test
    void aClientClosedUnderTheChunkIsTransient() {
        assertTrue(classifier.isTransient(new IllegalStateException("state should be: open")));
        assertTrue(classifier.isTransient(new MongoServerUnavailableException("The server at db.example:27017 is no longer available")));
        assertTrue(classifier.isTransient(new RuntimeException("wrapped", new IllegalStateException("state should be: open"))));
        assertFalse(classifier.isTransient(new IllegalStateException("something else")));
    }

    @Test
    void retryableLabelsAreTransient() {
        MongoException labelled = command(12345);
        assertFalse(classifier.isTransient(labelled));
        labelled.addLabel("RetryableWriteError");
        assertTrue(classifier.isTransient(labelled));
        MongoException tx = command(12345);
        tx.addLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL);
        assertTrue(classifier.isTransient(tx));
    }

    @Test
    void bulkWritesAreTransientOnlyForDuplicateKeyRacesAndWriteConcernErrors() {
        assertTrue(classifier.isTransient(bulk(List.of(11000, 11000), null)));
        assertTrue(classifier.isTransient(bulk(List.of(), new WriteConcernError(64, "WriteConcernFailed", "wtimeout", new BsonDocument()))));
        assertFalse(classifier.isTransient(bulk(List.of(11000, 121), null)));
        for (int code : List.of(121, 2, 52, 17280, 66)) {
            assertFalse(classifier.isTransient(bulk(List.of(code), null)), "code " + code);
        }
    }

    @Test
    void authFailuresUnknownCommandErrorsAndOwnExceptionsArePermanent() {
        assertFalse(classifier.isTransient(new MongoSecurityException(MongoCredential.createCredential("u", "admin", "p".toCharArray()), "auth failed")));
        assertFalse(classifier.isTransient(command(13)));
        assertFalse(classifier.isTransient(command(18)));
        assertFalse(classifier.isTransient(command(26)));
        assertFalse(classifier.isTransient(new SourceException("line 3: not valid JSON")));
        assertFalse(classifier.isTransient(new PermanentWriteException("no key", 0, new MongoTimeoutException("x"))));
        assertFalse(classifier.isTransient(new MongoInterruptedException("interrupted", new InterruptedException())));
        assertFalse(classifier.isTransient(new NullPointerException()));
    }

    @Test
    void descriptionsSayWhatToChange() {
        String validation = classifier.describe(bulk(List.of(121), null));
        assertTrue(validation.startsWith("document 1 of the chunk was rejected by the server: error 121"), validation);
        assertTrue(validation.contains("fix the source document or the collection's validator"), validation);
        String auth = classifier.describe(command(18));
        assertTrue(auth.contains("check the user and password of the connection in ferry.properties"), auth);
        String timeout = classifier.describe(new MongoTimeoutException("Timed out after 10000 ms"));
        assertTrue(timeout.contains("check that the server is up"), timeout);
        String source = classifier.describe(new SourceException("line 17: not valid JSON: x"));
        assertTrue(source.equals("line 17: not valid JSON: x"), source);
    }
}
