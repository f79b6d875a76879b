package dev.ferry.sync.retry;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoClientException;
import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoCursorNotFoundException;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoServerUnavailableException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoStalePrimaryException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteConcernException;
import com.mongodb.MongoWriteException;
import com.mongodb.bulk.BulkWriteError;
import java.util.Set;

/**
 * Decides whether a failed chunk is worth retrying, and words a failure for {@code error.json}.
 *
 * <p>Transient (retry, on a fresh lease): network and server-selection failures, elections and
 * shutdowns, server-side time limits, write concern errors, errors labelled retryable, a cursor the
 * server dropped, and a client closed under us ({@code IllegalStateException: state should be:
 * open}, {@code MongoServerUnavailableException}) which a pool reset may cause and which must never
 * fail a chunk. Bulk writes whose errors are all duplicate keys are transient too: two unordered
 * upserts of one key (from concurrent jobs) race, and the retry matches the winner.
 * Everything else is permanent: authentication/authorization, documents the server rejects, unknown
 * command errors, and every {@link Permanent} error (a source that cannot be read, a refused document). An interrupt is not
 * transient either: it means cancel or shutdown, which the caller handles.
 */
public final class ErrorClassifier {

    /**
     * An error that no retry helps, whatever it wraps: a source that cannot be read as it is, a
     * document the destination refuses for good. Marks checked exceptions of the stages' own.
     */
    public interface Permanent {
    }

    public static final int DUPLICATE_KEY = 11000;

    /** Server error codes that go away by themselves (network, elections, shutdowns, time limits). */
    public static final Set<Integer> TRANSIENT_CODES = Set.of(
            6, 7, 43, 50, 63, 64, 89, 91, 112, 150, 189, 234, 262, 9001, 10107, 11600, 11601, 11602, 13435, 13436);

    public boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Boolean verdict = verdict(t);
            if (verdict != null) {
                return verdict;
            }
        }
        return false;
    }

    /** true/false when this throwable decides it, null to look at its cause. */
    private static Boolean verdict(Throwable t) {
        if (t instanceof Permanent || t instanceof MongoInterruptedException
                || t instanceof InterruptedException) {
            return false;
        }
        if (isClosedClient(t)) {
            return true;
        }
        if (!(t instanceof MongoException)) {
            return null;
        }
        MongoException e = (MongoException) t;
        if (e.hasErrorLabel("RetryableWriteError")
                || e.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)) {
            return true;
        }
        if (e instanceof MongoSocketException || e instanceof MongoTimeoutException || e instanceof MongoExecutionTimeoutException
                || e instanceof MongoNotPrimaryException || e instanceof MongoNodeIsRecoveringException
                || e instanceof MongoStalePrimaryException || e instanceof MongoConnectionPoolClearedException
                || e instanceof MongoCursorNotFoundException || e instanceof MongoWriteConcernException) {
            return true;
        }
        if (e instanceof MongoSecurityException) {
            return false;
        }
        if (e instanceof MongoBulkWriteException) {
            return bulkIsTransient((MongoBulkWriteException) e);
        }
        if (e instanceof MongoWriteException) {
            return TRANSIENT_CODES.contains(((MongoWriteException) e).getError().getCode());
        }
        if (e instanceof MongoServerException) {
            return TRANSIENT_CODES.contains(e.getCode());
        }
        if (e instanceof MongoClientException) {
            return false;
        }
        // a generic MongoException may wrap the real cause (e.g. an IOException from a socket)
        return e.getCause() == null ? Boolean.FALSE : null;
    }

    /**
     * Whether the driver cleared its connection pool under the try because another operation on the
     * same server failed (a cut connection, an election): the try itself never reached the server.
     */
    public boolean isPoolCleared(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MongoConnectionPoolClearedException) {
                return true;
            }
        }
        return false;
    }

    static boolean isClosedClient(Throwable t) {
        return t instanceof MongoServerUnavailableException
                || (t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("state should be: open"));
    }

    private static boolean bulkIsTransient(MongoBulkWriteException e) {
        if (e.getWriteConcernError() != null) {
            // what was written may not survive a failover: the whole chunk again (it is idempotent), even
            // beside errors that would be permanent alone, which the retry meets again
            return true;
        }
        if (e.getWriteErrors().isEmpty()) {
            return false;
        }
        for (BulkWriteError error : e.getWriteErrors()) {
            if (error.getCode() != DUPLICATE_KEY && !TRANSIENT_CODES.contains(error.getCode())) {
                return false;
            }
        }
        return true;
    }

    /** A plain-words message for {@code error.json} that says what to change. */
    public String describe(Throwable error) {
        return describe(error, null);
    }

    /** As {@link #describe(Throwable)}; {@code chunkIndex} maps a bulk write's model index to the document's index in the chunk. */
    String describe(Throwable error, int[] chunkIndex) {
        if (error instanceof Permanent) {
            return error.getMessage();
        }
        if (isClosedClient(error)) {
            return "the MongoDB client was closed while the chunk used it (" + error.getMessage() + "); this is retried on a fresh client";
        }
        if (error instanceof MongoBulkWriteException) {
            return describeBulk((MongoBulkWriteException) error, chunkIndex);
        }
        if (error instanceof MongoSecurityException || (error instanceof MongoServerException && isAuthCode(((MongoServerException) error).getCode()))) {
            return "the server refused the connection's credentials or rights (" + error.getMessage()
                    + "); check the user and password of the connection in ferry.properties and that the user may read and write this database";
        }
        if (error instanceof MongoTimeoutException) {
            return "no MongoDB server answered in time (" + error.getMessage() + "); check that the server is up and reachable at the connection's hosts";
        }
        if (error instanceof MongoSocketException) {
            return "the network connection to MongoDB failed (" + error.getMessage() + "); check the server and the network";
        }
        if (error instanceof MongoException) {
            MongoException e = (MongoException) error;
            return "MongoDB error " + e.getCode() + ": " + e.getMessage()
                    + (isTransient(e) ? "; this is usually temporary (check the server's health)" : "; fix the job or the server setting it names");
        }
        if (error instanceof InterruptedException || error instanceof MongoInterruptedException) {
            return "interrupted (the job was cancelled or the daemon is shutting down)";
        }
        return error.getClass().getSimpleName() + ": " + error.getMessage();
    }

    private static boolean isAuthCode(int code) {
        return code == 13 || code == 18;
    }

    private static String describeBulk(MongoBulkWriteException e, int[] chunkIndex) {
        if (e.getWriteErrors().isEmpty()) {
            return "the server could not confirm the write concern (" + (e.getWriteConcernError() == null ? e.getMessage()
                    : e.getWriteConcernError().getMessage()) + "); check the replica set's health or the connection's w= setting";
        }
        BulkWriteError first = e.getWriteErrors().get(0);
        int model = first.getIndex();
        int document = chunkIndex != null && model >= 0 && model < chunkIndex.length ? chunkIndex[model] : model;
        String more = e.getWriteErrors().size() > 1 ? " (and " + (e.getWriteErrors().size() - 1) + " more)" : "";
        return "document " + (document + 1) + " of the chunk was rejected by the server" + more + ": error " + first.getCode()
                + ": " + first.getMessage() + "; " + remedy(first.getCode());
    }

    public static String remedy(int code) {
        switch (code) {
            case 121:
                return "fix the source document or the collection's validator";
            case 2: case 52: case 55: case 56: case 57:
                return "fix the source document (field names must not start with $ or be empty)";
            case 10334: case 17419: case 17420:
                return "the document is larger than MongoDB's 16 MiB limit: shrink it in the source";
            case 17280: case 17282:
                return "an indexed value is too long: shorten it in the source or drop that index";
            case 66:
                return "the document's _id differs from the existing document with the same key; use mode merge or remove _id from the source";
            case DUPLICATE_KEY:
                return "a unique index other than the job's key rejects the document; make the key match that index or drop the index";
            case 13: case 18:
                return "grant the connection's user readWrite on the destination database";
            default:
                return "fix the source document or the destination collection's settings";
        }
    }
}
