package dev.ferry.sync.source;

import dev.ferry.config.Limits;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.FindIterable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonValue;

/**
 * A collection read in {@code _id} order through ONE cursor, opened on the first chunk with a batch
 * size of the chunk size times the job's lanes, so that lanes chunks cost one {@code getMore} (one round
 * trip to a distant server, the server capping a batch at 16 MiB) and no new query (a sorted
 * {@code $gt}+{@code limit} page query per chunk would rescan the collection each time on some servers).
 *
 * <p>Resume: {@code {$and: [filter, {_id: {$gt: lastId}}]}}. {@code $gt} compares only within one
 * BSON type bracket, so {@code _id}s of types that sort after the last one (e.g. ObjectIds after
 * numbers in a collection mixing both) would be missed; the resume filter therefore also takes every
 * {@code _id} whose type sorts later (see {@link IdOrder}).
 *
 * <p>The collection comes from the caller's lease, which must stay open while this source is used;
 * if the cursor dies (lease reset, server-side cursor timeout after ten idle minutes: code 43),
 * the next call throws a transient error and the caller reopens at the last checkpoint.
 */
public final class MongoSource implements Source {

    private final MongoCollection<BsonDocument> collection;
    private final BsonDocument query;
    private final BsonDocument projection;
    /** Chunks fetched per {@code getMore}: the job's lanes, so that reading keeps up with its writes. */
    private final int chunksPerBatch;
    private MongoCursor<BsonDocument> cursor;
    private long documentsRead;
    private BsonValue lastId;
    private boolean closed;

    public MongoSource(MongoCollection<BsonDocument> collection, BsonDocument filter, BsonDocument projection, Position start) {
        this(collection, filter, projection, start, 1);
    }

    /** @param chunksPerBatch chunks the cursor fetches per round trip (the job's lanes) */
    public MongoSource(MongoCollection<BsonDocument> collection, BsonDocument filter, BsonDocument projection,
                       Position start, int chunksPerBatch) {
        this(collection, filter, projection, null, null, start, chunksPerBatch);
    }

    /**
     * One {@code _id} range of a collection (see {@link MongoRanges}).
     *
     * @param min the range's first {@code _id}, or null for the collection's first
     * @param max the {@code _id} after the range, or null for none
     * @param start the documents read and the last {@code _id} read in this range, or {@link Position#START}
     */
    MongoSource(MongoCollection<BsonDocument> collection, BsonDocument filter, BsonDocument projection,
                BsonValue min, BsonValue max, Position start, int chunksPerBatch) {
        this.chunksPerBatch = Math.max(1, chunksPerBatch);
        this.collection = Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(start, "start");
        BsonDocument userFilter = filter == null ? new BsonDocument() : filter.clone();
        this.lastId = start.resumeToken();
        BsonDocument bounds = lastId != null ? IdOrder.range(lastId, false, max) : IdOrder.range(min, true, max);
        this.query = bounds.isEmpty() ? userFilter : new BsonDocument("$and", new BsonArray(List.of(userFilter, bounds)));
        this.projection = keepId(projection);
        this.documentsRead = start.documentsRead();
    }

    /**
     * The source must know each document's {@code _id} to resume, so a projection can never drop it:
     * an {@code _id: 0} is removed, since both inclusion and exclusion projections return {@code _id}
     * unless told otherwise; so is an {@code _id: 1} beside exclusions (which some servers refuse). An
     * {@code _id: 1} among inclusions (or alone: only the {@code _id}) stays.
     */
    private static BsonDocument keepId(BsonDocument projection) {
        if (projection == null) {
            return null;
        }
        BsonDocument kept = projection.clone();
        BsonValue id = kept.get("_id");
        boolean excludes = kept.entrySet().stream().anyMatch(e -> !e.getKey().equals("_id") && falsy(e.getValue()));
        if (id != null && (falsy(id) || excludes)) {
            kept.remove("_id");
        }
        return kept.isEmpty() ? null : kept;
    }

    private static boolean falsy(BsonValue value) {
        return value.isBoolean() ? !value.asBoolean().getValue() : value.isNumber() && value.asNumber().doubleValue() == 0;
    }

    @Override
    public List<BsonDocument> nextChunk(int max) {
        Sources.requirePositive(max);
        if (closed) {
            throw new IllegalStateException("source is closed");
        }
        if (cursor == null) {
            int batch = (int) Math.min(Limits.MAX_CHUNK_SIZE, (long) max * chunksPerBatch);
            FindIterable<BsonDocument> find = collection.find(query).sort(new BsonDocument("_id", new BsonInt32(1)))
                    .batchSize(batch);
            if (projection != null) {
                find = find.projection(projection);
            }
            cursor = find.iterator();
        }
        List<BsonDocument> chunk = new ArrayList<>(Math.min(max, 4096));
        while (chunk.size() < max && cursor.hasNext()) {
            chunk.add(cursor.next());
        }
        if (!chunk.isEmpty()) {
            lastId = chunk.get(chunk.size() - 1).get("_id");
            documentsRead += chunk.size();
        }
        return chunk;
    }

    @Override
    public Position position() {
        return new Position(documentsRead, lastId);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cursor != null) {
            try {
                cursor.close();
            } catch (RuntimeException e) {
                // the server reaps an abandoned cursor on its own; a failed killCursors loses nothing
            }
        }
    }
}
