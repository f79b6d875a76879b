package dev.ferry.sync;

import com.mongodb.client.MongoCollection;
import dev.ferry.job.DestinationSpec;
import dev.ferry.job.JobSpec;
import dev.ferry.job.SourceSpec;
import dev.ferry.job.WriteMode;
import dev.ferry.pool.Lease;
import dev.ferry.sync.checkpoint.VerifyState;
import dev.ferry.sync.checkpoint.VerifyState.Pass;
import dev.ferry.sync.retry.Attempt;
import dev.ferry.sync.retry.AttemptFailure;
import dev.ferry.sync.retry.Retried;
import dev.ferry.sync.retry.RetryPolicy.Side;
import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.IdInterval;
import dev.ferry.sync.source.Origins;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.write.ChunkWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;

/**
 * A job's comparison of its source with its destination (docs/jobs.md, "Verify"), in two passes, each
 * a {@link CopyLoop} whose lanes look chunks up instead of writing them, recorded in the job's
 * {@link JobLedger} after every chunk so that a restarted job continues where it was (or, beside a
 * following job, kept in memory by {@link FollowVerify}):
 *
 * <ol>
 *   <li>{@link Pass#SOURCE}: the source's documents, built as a copy builds them, looked up in the
 *       destination by the job's key: {@code equal}, {@code missing} or {@code different};</li>
 *   <li>{@link Pass#DESTINATION}, for a mongodb source: the destination's keys looked up in the source
 *       (with the job's filter): {@code extra}.</li>
 * </ol>
 *
 * <p>Memory holds a chunk per lane and the destination's documents for it, whatever the collection's
 * size. Documents are compared as BSON bytes: field names, order, values and their types.
 *
 * <p>Threading: {@link #run()} on the job's thread; the look-ups in the job's lanes.
 */
final class VerifyLoop {
    private final RunningJob job;
    private final Findings findings;
    private final JobTask.Stages stages;
    private final JobSpec spec;

    /** A job's own comparison, recorded in its ledger. */
    VerifyLoop(RunningJob job, JobLedger ledger, JobTask.Stages stages) {
        this(job, new Findings() {
            @Override
            public boolean begin() throws InterruptedException {
                return ledger.beginVerify();
            }

            @Override
            public VerifyState state() {
                return ledger.verify().orElseThrow();
            }

            @Override
            public boolean beginDestinationPass() throws InterruptedException {
                return ledger.beginDestinationPass();
            }

            @Override
            public boolean record(Comparison found, Position after) throws InterruptedException {
                return ledger.recordCompared(found, after, stages.verifyMaxListed());
            }

            @Override
            public boolean finish(Comparison found) throws InterruptedException {
                return ledger.recordCompared(found, ledger.verify().orElseThrow().position(), stages.verifyMaxListed(),
                        true);
            }
        }, stages);
    }

    VerifyLoop(RunningJob job, Findings findings, JobTask.Stages stages) {
        this.job = job;
        this.findings = findings;
        this.stages = stages;
        this.spec = job.spec();
    }

    /** Where a comparison's findings go: a job's ledger, or memory (a comparison beside following: {@link FollowVerify}). */
    interface Findings {
        /** @return false if the job must stop before the comparison could begin */
        boolean begin() throws InterruptedException;

        /** Where the comparison stands, once begun. */
        VerifyState state();

        boolean beginDestinationPass() throws InterruptedException;

        /** @return false if the job must stop before the chunk could be recorded */
        boolean record(Comparison found, Position after) throws InterruptedException;

        /** Records the last findings and that the comparison is done. */
        boolean finish(Comparison found) throws InterruptedException;
    }

    /**
     * What comparing one chunk found: counts, and one line per differing key
     * ({@code {"key": {...}, "kind": "missing" | "extra" | "different"}}).
     */
    record Comparison(long compared, long equal, long missing, long extra, long different,
                      List<BsonDocument> differences) {
        static final Comparison NONE = new Comparison(0, 0, 0, 0, 0, List.of());
    }

    /**
     * @return true once both sides were compared (the outcome is in {@link JobLedger#verify()}); false
     *         when the job must stop, after the chunks compared before the stop are recorded
     * @throws JobFailure when a side cannot be read
     */
    boolean run() throws JobFailure, InterruptedException {
        if (!findings.begin()) {
            return false;
        }
        VerifyState state = findings.state();
        if (state.pass() == Pass.SOURCE) {
            try (CopyLoop<Comparison> pass = CopyLoop.over(job, CopyLoop.reads(job, spec.source(), stages),
                    state.position(), 0, new InDestination(), this::record, Comparison.NONE, stages)) {
                if (!pass.run()) {
                    return false;
                }
            }
            if (!(spec.source() instanceof SourceSpec.Mongo)) {
                return findings.finish(Comparison.NONE);
            }
            if (byIdStretches()) {
                // what the source's read never reached: the destination's documents there are extra
                List<IdInterval> beyond = IdInterval.beyond(findings.state().position());
                Retried<Comparison> extra = attempt(Side.DESTINATION, 0, "comparing the end", () -> extraBeyond(beyond));
                return extra instanceof Retried.Done<Comparison> done && findings.finish(done.value());
            }
            if (!findings.beginDestinationPass()) {
                return false;
            }
            state = findings.state();
        }
        if (state.pass() == Pass.DONE) {
            return true;
        }
        DestinationSpec d = spec.destination();
        SourceSpec.Mongo keys = new SourceSpec.Mongo(d.connection(), d.database(), d.collection(), null,
                keyProjection());
        try (CopyLoop<Comparison> pass = CopyLoop.over(job, CopyLoop.reads(job, keys, stages), state.position(), 0,
                new InSource(), this::record, Comparison.NONE, stages)) {
            return pass.run() && findings.finish(Comparison.NONE);
        }
    }

    /**
     * Whether the source pass looks up the stretches of {@code _id} each chunk covers, finding extras
     * itself: a mongodb source keyed by {@code _id} (read in {@code _id} order, in one or more ranges).
     */
    private boolean byIdStretches() {
        return spec.source() instanceof SourceSpec.Mongo && spec.key().equals(List.of("_id"));
    }

    /** The destination's documents in stretches the source has none in. */
    private Comparison extraBeyond(List<IdInterval> stretches) {
        List<BsonDocument> lines = new ArrayList<>();
        DestinationSpec d = spec.destination();
        try (Lease lease = stages.pools().lease(d.connection())) {
            MongoCollection<BsonDocument> collection = lease.collection(d.database(), d.collection());
            long extras = 0;
            for (IdInterval stretch : stretches) {
                // whole documents: there are rarely any, and a query for the _ids alone is not an index range scan
                // on every server; counted, listed while the list has room
                for (BsonDocument extra : collection.find(stretch.filter()).sort(new BsonDocument("_id", new BsonInt32(1)))) {
                    extras++;
                    if (lines.size() < stages.verifyMaxListed()) {
                        lines.add(line(new BsonDocument("_id", extra.get("_id")), "extra"));
                    }
                }
            }
            return new Comparison(0, 0, 0, extras, 0, lines);
        }
    }

    /** A look-up on one side, retried by the job's policy; one that cannot be done fails the job naming that side. */
    private Retried<Comparison> attempt(Side side, long chunkNo, String what, Attempt<Comparison> attempt)
            throws JobFailure, InterruptedException {
        boolean source = side == Side.SOURCE;
        String connection = source ? ((SourceSpec.Mongo) spec.source()).connection() : spec.destination().connection();
        try {
            return stages.policy().run(job.lane(), side, connection, chunkNo, attempt);
        } catch (AttemptFailure e) {
            throw JobFailure.of(e, source ? JobFailure.SOURCE_ERROR : JobFailure.WRITE_ERROR,
                    source ? spec.source().describe() : spec.destination().describe(), what, chunkNo);
        }
    }

    private boolean record(Batch batch, Comparison found, long retries, Position after, double progress)
            throws InterruptedException {
        job.verifyProgress(progress);
        return findings.record(found, after);
    }

    /** The key's fields: all the destination pass needs of a document. */
    BsonDocument keyProjection() {
        BsonDocument projection = new BsonDocument();
        spec.key().forEach(field -> projection.append(field, new BsonInt32(1)));
        return projection;
    }

    /** The filter that finds the documents of {@code keys} (each a document's key values, in key order). */
    BsonDocument keyFilter(List<BsonDocument> keys) {
        if (spec.key().size() == 1) {
            String field = spec.key().get(0);
            BsonArray values = new BsonArray();
            keys.forEach(k -> values.add(k.get(field)));
            return new BsonDocument(field, new BsonDocument("$in", values));
        }
        return new BsonDocument("$or", new BsonArray(new ArrayList<>(keys)));
    }

    /** A document's key as the verify list shows it, e.g. {@code {"_id": 7}}; null when it lacks a key field. */
    private BsonDocument keyDocument(BsonDocument document) {
        BsonDocument key = new BsonDocument();
        for (String field : spec.key()) {
            BsonValue value = ChunkWriter.lookup(document, field);
            if (value == null) {
                return null;
            }
            key.append(field, value);
        }
        return key;
    }

    private static BsonDocument line(BsonDocument key, String kind) {
        return new BsonDocument("key", key).append("kind", new BsonString(kind));
    }

    /** Pass SOURCE: a chunk of source documents looked up in the destination. */
    private final class InDestination implements CopyLoop.Writes<Comparison> {
        @Override
        public Retried<Comparison> write(List<BsonDocument> chunk, Origins origins, long chunkNo, Lanes.Turn turn)
                throws JobFailure, InterruptedException {
            return attempt(Side.DESTINATION, chunkNo, "comparing chunk " + chunkNo, byKey(chunk));
        }

        @Override
        public Retried<Comparison> write(Batch batch, Position before, Position after, long chunkNo, Lanes.Turn turn)
                throws JobFailure, InterruptedException {
            Optional<IdInterval> stretch = byIdStretches() ? IdInterval.between(before, after) : Optional.empty();
            if (stretch.isEmpty()) {
                return write(batch.documents(), batch.origins(), chunkNo, turn);
            }
            BsonDocument filter = stretch.get().filter();
            return attempt(Side.DESTINATION, chunkNo, "comparing chunk " + chunkNo, () -> compare(batch.documents(), c -> c.find(filter)
                    .sort(new BsonDocument("_id", new BsonInt32(1)))));
        }

        /** Looks the chunk's documents up by their keys. */
        private Attempt<Comparison> byKey(List<BsonDocument> chunk) {
            return () -> {
                // one document per key, the one a write of this chunk leaves (insert: the first, else the last)
                Map<Object, BsonDocument> byKey = new LinkedHashMap<>();
                for (BsonDocument document : chunk) {
                    Optional<Object> key = ChunkWriter.keyOf(document, spec.key());
                    if (key.isPresent() && (spec.mode() != WriteMode.INSERT || !byKey.containsKey(key.get()))) {
                        byKey.put(key.get(), document);
                    }
                }
                List<BsonDocument> keys = new ArrayList<>();
                byKey.values().forEach(document -> keys.add(keyDocument(document)));
                return compare(byKey, keys, c -> c.find(keyFilter(keys)), false);
            };
        }

        /** Compares a mongodb source's chunk with the destination's documents in the stretch of _id it covers. */
        private Comparison compare(List<BsonDocument> chunk,
                                   java.util.function.Function<MongoCollection<RawBsonDocument>, Iterable<RawBsonDocument>> there) {
            Map<Object, BsonDocument> byKey = new LinkedHashMap<>();
            List<BsonDocument> keys = new ArrayList<>();
            for (BsonDocument document : chunk) {
                Optional<Object> key = ChunkWriter.keyOf(document, spec.key());
                if (key.isPresent() && byKey.put(key.get(), document) == null) {
                    keys.add(keyDocument(document));
                }
            }
            return compare(byKey, keys, there, true);
        }

        /**
         * @param keys       the shown key of each of {@code byKey}'s documents, in its order
         * @param strangers  whether a destination document that is none of them is extra (it lies in a stretch
         *                   of {@code _id} the chunk covers)
         */
        private Comparison compare(Map<Object, BsonDocument> byKey, List<BsonDocument> keys,
                                   java.util.function.Function<MongoCollection<RawBsonDocument>, Iterable<RawBsonDocument>> there,
                                   boolean strangers) {
            Map<Object, RawBsonDocument> found = new HashMap<>();
            List<BsonDocument> lines = new ArrayList<>();
            long extra = 0;
            DestinationSpec d = spec.destination();
            try (Lease lease = stages.pools().lease(d.connection())) {
                MongoCollection<RawBsonDocument> collection = lease.collection(d.database(), d.collection())
                        .withDocumentClass(RawBsonDocument.class);
                for (RawBsonDocument document : there.apply(collection)) {
                    Optional<Object> key = ChunkWriter.keyOf(document, spec.key());
                    if (key.isEmpty()) {
                        continue;
                    }
                    if (byKey.containsKey(key.get())) {
                        found.put(key.get(), document);
                    } else if (strangers) {
                        // counted, listed while the list has room: a stretch may hold any number of them
                        extra++;
                        if (lines.size() < stages.verifyMaxListed()) {
                            lines.add(line(keyDocument(document), "extra"));
                        }
                    }
                }
            }
            long equal = 0;
            long missing = 0;
            long different = 0;
            int i = 0;
            for (Map.Entry<Object, BsonDocument> entry : byKey.entrySet()) {
                BsonDocument key = keys.get(i++);
                RawBsonDocument copy = found.get(entry.getKey());
                if (copy == null) {
                    missing++;
                    lines.add(line(key, "missing"));
                } else if (same(entry.getValue(), copy)) {
                    equal++;
                } else {
                    different++;
                    lines.add(line(key, "different"));
                }
            }
            return new Comparison(byKey.size(), equal, missing, extra, different, lines);
        }

        private boolean same(BsonDocument source, RawBsonDocument destination) {
            return VerifyLoop.same(spec.mode(), source, destination);
        }
    }

    /**
     * As the job's mode leaves a document: whole, byte for byte ({@code _id} aside when the source
     * document has none: the destination made it); {@code merge}: each of the source's fields.
     */
    static boolean same(WriteMode mode, BsonDocument source, RawBsonDocument destination) {
        if (mode == WriteMode.MERGE) {
            for (Map.Entry<String, BsonValue> field : source.entrySet()) {
                BsonValue there = destination.get(field.getKey());
                if (there == null || !bytes(new BsonDocument(field.getKey(), field.getValue()))
                        .equals(bytes(new BsonDocument(field.getKey(), there)))) {
                    return false;
                }
            }
            return true;
        }
        if (!source.containsKey("_id")) {
            BsonDocument withoutId = new BsonDocument();
            destination.forEach((name, value) -> {
                if (!name.equals("_id")) {
                    withoutId.append(name, value);
                }
            });
            return bytes(source).equals(bytes(withoutId));
        }
        return bytes(source).equals(destination.getByteBuffer().asNIO());
    }

    /** Pass DESTINATION: a chunk of destination keys looked up in the (filtered) source. */
    private final class InSource implements CopyLoop.Writes<Comparison> {
        @Override
        public Retried<Comparison> write(List<BsonDocument> chunk, Origins origins, long chunkNo, Lanes.Turn turn)
                throws JobFailure, InterruptedException {
            SourceSpec.Mongo source = (SourceSpec.Mongo) spec.source();
            return attempt(Side.SOURCE, chunkNo, "comparing chunk " + chunkNo, () -> {
                Map<Object, BsonDocument> keys = new LinkedHashMap<>();
                for (BsonDocument document : chunk) {
                    ChunkWriter.keyOf(document, spec.key()).ifPresent(key -> keys.put(key, keyDocument(document)));
                }
                BsonDocument filter = keyFilter(new ArrayList<>(keys.values()));
                if (source.filter() != null && !source.filter().isEmpty()) {
                    filter = new BsonDocument("$and", new BsonArray(List.of(source.filter(), filter)));
                }
                Set<Object> present = new HashSet<>();
                try (Lease lease = stages.pools().lease(source.connection())) {
                    for (BsonDocument document : lease.collection(source.database(), source.collection())
                            .find(filter).projection(keyProjection())) {
                        ChunkWriter.keyOf(document, spec.key()).ifPresent(present::add);
                    }
                }
                List<BsonDocument> lines = new ArrayList<>();
                keys.forEach((key, shown) -> {
                    if (!present.contains(key)) {
                        lines.add(line(shown, "extra"));
                    }
                });
                return new Comparison(0, 0, 0, lines.size(), 0, lines);
            });
        }
    }

    private static ByteBuffer bytes(BsonDocument document) {
        return new RawBsonDocument(document, new BsonDocumentCodec()).getByteBuffer().asNIO();
    }
}
