package dev.ferry.sync;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoDatabase;
import dev.ferry.job.DestinationSpec;
import dev.ferry.job.SourceSpec;
import dev.ferry.pool.Lease;
import dev.ferry.sync.retry.AttemptFailure;
import dev.ferry.sync.retry.ErrorClassifier;
import dev.ferry.sync.retry.Retried;
import dev.ferry.sync.retry.RetryPolicy.Side;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mongodb source's collection options and indexes made on the destination (docs/jobs.md, "Indexes"):
 * before the copy writes anything, a destination collection that does not exist yet is created with the
 * source's validator and collation; after the copy (a follow job: before it follows), each index the
 * source lists is built with its name, key and options, unless the destination has it already.
 *
 * <p>Threading: used by the job's thread.
 */
final class IndexCopy {
    private static final Logger log = LoggerFactory.getLogger(IndexCopy.class);
    /** Collection options a new destination collection is created with: they cannot be changed later. */
    private static final List<String> AT_CREATE = List.of("collation");
    /**
     * Collection options given to a destination without a validator once the copy is written: earlier, they
     * would refuse documents the source holds from before its own validator (or under {@code moderate}).
     */
    private static final List<String> AFTER_COPY = List.of("validator", "validationLevel", "validationAction");
    /** Fields of a listed index that describe the server's bookkeeping, not the index. */
    private static final List<String> NOT_SPEC = List.of("v", "ns", "background");
    /** Server codes of an index a copy can never build: its data violates it, or its spec clashes. */
    private static final List<Integer> CLASHES = List.of(11000, 85, 86, 67, 197);
    private static final int NAMESPACE_EXISTS = 48;

    private final RunningJob job;
    private final JobTask.Stages stages;
    private final SourceSpec.Mongo source;
    private final DestinationSpec destination;

    IndexCopy(RunningJob job, JobTask.Stages stages) {
        this.job = job;
        this.stages = stages;
        this.source = (SourceSpec.Mongo) job.spec().source();
        this.destination = job.spec().destination();
    }

    /**
     * Creates the destination collection with the source's options, if it does not exist yet.
     *
     * @return false if the job must stop
     */
    boolean createCollection() throws JobFailure, InterruptedException {
        BsonDocument options = sourceOptions(AT_CREATE);
        if (options == null) {
            return false;
        }
        if (options.isEmpty()) {
            return true;
        }
        return createWith(options);
    }

    /**
     * Gives the destination the source's validator, unless it has one: after the copy (a follow job: before
     * it follows), so that the copy writes every document the source holds.
     *
     * @return false if the job must stop
     */
    boolean applyValidator() throws JobFailure, InterruptedException {
        BsonDocument options = sourceOptions(AFTER_COPY);
        if (options == null) {
            return false;
        }
        if (!options.containsKey("validator")) {
            return true;
        }
        return run(Side.DESTINATION, destination.connection(), "give the destination the source's validator", () -> {
            try (Lease lease = stages.pools().lease(destination.connection())) {
                MongoDatabase db = lease.database(destination.database());
                BsonDocument listed = db.listCollections(BsonDocument.class)
                        .filter(new BsonDocument("name", new BsonString(destination.collection()))).first();
                boolean has = listed != null && listed.isDocument("options")
                        && listed.getDocument("options").containsKey("validator");
                if (!has) {
                    BsonDocument collMod = new BsonDocument("collMod", new BsonString(destination.collection()));
                    collMod.putAll(options);
                    db.runCommand(collMod);
                    log.info("{}: gave {} the source's validator", job.id(), destination.describe());
                }
                return Boolean.TRUE;
            }
        }) != null;
    }

    /** The source collection's options of {@code names}; null if the job must stop. */
    private BsonDocument sourceOptions(List<String> names) throws JobFailure, InterruptedException {
        return run(Side.SOURCE, source.connection(), "read the source's collection options", () -> {
            try (Lease lease = stages.pools().lease(source.connection())) {
                BsonDocument listed = lease.database(source.database()).listCollections(BsonDocument.class)
                        .filter(new BsonDocument("name", new BsonString(source.collection()))).first();
                BsonDocument kept = new BsonDocument();
                if (listed != null && listed.isDocument("options")) {
                    listed.getDocument("options").forEach((name, value) -> {
                        if (names.contains(name)) {
                            kept.append(name, value);
                        }
                    });
                }
                return kept;
            }
        });
    }

    private boolean createWith(BsonDocument options) throws JobFailure, InterruptedException {
        return run(Side.DESTINATION, destination.connection(), "create the destination collection", () -> {
            try (Lease lease = stages.pools().lease(destination.connection())) {
                MongoDatabase db = lease.database(destination.database());
                boolean exists = db.listCollectionNames().into(new ArrayList<>()).contains(destination.collection());
                if (!exists) {
                    BsonDocument create = new BsonDocument("create", new BsonString(destination.collection()));
                    create.putAll(options);
                    try {
                        db.runCommand(create);
                        log.info("{}: created {} with the source's options {}", job.id(), destination.describe(),
                                options.keySet());
                    } catch (MongoCommandException e) {
                        if (e.getErrorCode() != NAMESPACE_EXISTS) {
                            throw e;
                        }
                        // another job made it meanwhile: it keeps its own options
                    }
                }
                return Boolean.TRUE;
            }
        }) != null;
    }

    /**
     * Builds every index of the source that the destination lacks.
     *
     * @return false if the job must stop
     * @throws JobFailure {@code index-error} when an index of that name has another spec on the destination,
     *                    or cannot be built (the copied data violates it)
     */
    boolean buildIndexes() throws JobFailure, InterruptedException {
        List<BsonDocument> wanted = run(Side.SOURCE, source.connection(), "list the source's indexes",
                () -> list(source.connection(), source.database(), source.collection()));
        if (wanted == null) {
            return false;
        }
        List<BsonDocument> there = run(Side.DESTINATION, destination.connection(), "list the destination's indexes",
                () -> list(destination.connection(), destination.database(), destination.collection()));
        if (there == null) {
            return false;
        }
        Map<String, BsonDocument> byName = new LinkedHashMap<>();
        there.forEach(index -> byName.put(index.getString("name").getValue(), spec(index)));
        for (BsonDocument index : wanted) {
            String name = index.getString("name").getValue();
            BsonDocument spec = spec(index);
            if (name.equals("_id_")) {
                continue;
            }
            BsonDocument existing = byName.get(name);
            if (existing != null && !existing.equals(spec) && isOwnKeyIndex(existing, spec)) {
                // ferry's own index on the job's key (docs/jobs.md, "Indexes") took the source's name:
                // the source's, on the same key, replaces it
                if (run(Side.DESTINATION, destination.connection(), "drop index " + name, () -> drop(name)) == null) {
                    return false;
                }
                log.info("{}: replaced ferry's key index {} by the source's {}", job.id(), name, withoutName(spec).toJson());
                existing = null;
            }
            if (existing != null) {
                if (!existing.equals(spec)) {
                    throw new JobFailure(JobFailure.INDEX_ERROR, "index " + name + " exists on "
                            + destination.describe() + " with another spec: " + withoutName(existing).toJson()
                            + ", the source's is " + withoutName(spec).toJson() + "; drop one of them or give the job "
                            + "\"indexes\": \"none\"", 0, 1);
                }
                continue;
            }
            Optional<String> sameSpec = byName.entrySet().stream()
                    .filter(e -> withoutName(e.getValue()).equals(withoutName(spec))).map(Map.Entry::getKey).findFirst();
            if (sameSpec.isPresent()) {
                log.info("{}: index {} of the source exists on the destination as {}", job.id(), name, sameSpec.get());
                continue;
            }
            if (run(Side.DESTINATION, destination.connection(), "build index " + name, () -> build(name, spec)) == null) {
                return false;
            }
            log.info("{}: built index {} {} on {}", job.id(), name, spec.get("key").toString(), destination.describe());
        }
        return true;
    }

    /** Whether {@code existing} is ferry's own index on the job's key, on the same key as the source's {@code spec}. */
    private boolean isOwnKeyIndex(BsonDocument existing, BsonDocument spec) {
        BsonDocument keyIndex = new BsonDocument();
        job.spec().key().forEach(field -> keyIndex.append(field, new org.bson.BsonInt32(1)));
        return keyIndex.equals(existing.get("key")) && keyIndex.equals(spec.get("key"));
    }

    private Boolean drop(String name) {
        try (Lease lease = stages.pools().lease(destination.connection())) {
            lease.database(destination.database()).runCommand(new BsonDocument("dropIndexes",
                    new BsonString(destination.collection())).append("index", new BsonString(name)));
            return Boolean.TRUE;
        }
    }

    private Boolean build(String name, BsonDocument spec) throws IndexClash {
        try (Lease lease = stages.pools().lease(destination.connection())) {
            lease.database(destination.database()).runCommand(new BsonDocument("createIndexes",
                    new BsonString(destination.collection())).append("indexes", new BsonArray(List.of(spec))));
            return Boolean.TRUE;
        } catch (MongoCommandException e) {
            if (CLASHES.contains(e.getErrorCode())) {
                throw new IndexClash("index " + name + " " + withoutName(spec).toJson() + " cannot be built on "
                        + destination.describe() + ": " + e.getErrorMessage() + (e.getErrorCode() == 11000
                        ? " (the copied documents violate it: the destination held other documents, or the source "
                        + "changed during the copy)" : ""));
            }
            throw e;
        }
    }

    private List<BsonDocument> list(String connection, String database, String collection) {
        try (Lease lease = stages.pools().lease(connection)) {
            return lease.collection(database, collection).listIndexes(BsonDocument.class).into(new ArrayList<>());
        }
    }

    /** What makes the index: the listed document without the server's bookkeeping. */
    private static BsonDocument spec(BsonDocument listed) {
        BsonDocument spec = new BsonDocument();
        listed.forEach((field, value) -> {
            if (!NOT_SPEC.contains(field)) {
                spec.append(field, value);
            }
        });
        return spec;
    }

    private static BsonDocument withoutName(BsonDocument spec) {
        BsonDocument copy = spec.clone();
        copy.remove("name");
        return copy;
    }

    /** One step, retried as any read or write of the job; null when the job must stop. */
    private <T> T run(Side side, String connection, String what, dev.ferry.sync.retry.Attempt<T> attempt)
            throws JobFailure, InterruptedException {
        try {
            Retried<T> done = stages.policy().run(job, side, connection, 0, attempt);
            return done instanceof Retried.Done<T> d ? d.value() : null;
        } catch (AttemptFailure e) {
            throw JobFailure.of(e, JobFailure.INDEX_ERROR, side == Side.SOURCE ? source.describe()
                    : destination.describe(), what, 0);
        }
    }

    /** An index that can never be built as it is: permanent, fails the job {@code index-error}. */
    static final class IndexClash extends Exception implements ErrorClassifier.Permanent {
        IndexClash(String message) {
            super(message);
        }
    }
}
