package dev.ferry.sync.follow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Events read together and written as one bulk write. Folded per {@code _id}, the last event of a key
 * wins: each event carries the key's whole state (a full document or its absence), so the last one
 * alone gives the result of applying them all in order, and the folded writes touch distinct keys and
 * may run unordered.
 */
public final class EventBatch {
    private final Map<BsonValue, ChangeEvent> latest = new LinkedHashMap<>();
    /** The place (1-based) in the batch of each key's last event. */
    private final Map<BsonValue, Integer> places = new HashMap<>();
    private int events;
    private BsonDocument lastToken;
    private long newestClusterTimeMillis;

    public void add(ChangeEvent event) {
        events++;
        lastToken = event.resumeToken();
        newestClusterTimeMillis = Math.max(newestClusterTimeMillis, event.clusterTimeMillis());
        if (event.kind() != ChangeEvent.Kind.SKIP) {
            // remove first so that the key moves to the end: the map's order stays the order of last events
            latest.remove(event.id());
            latest.put(event.id(), event);
            places.put(event.id(), events);
        }
    }

    /** Events read, skipped ones included. */
    public int events() {
        return events;
    }

    public boolean isEmpty() {
        return events == 0;
    }

    /** One event per key: the last one read. */
    public List<ChangeEvent> folded() {
        return new ArrayList<>(latest.values());
    }

    /** The place (1-based) in the batch of the last event of the document with this {@code _id}; 0 if none. */
    public int place(BsonValue id) {
        return places.getOrDefault(id, 0);
    }

    /** The token after the batch's last event: where the stream resumes once the batch is applied. */
    public Optional<BsonDocument> lastToken() {
        return Optional.ofNullable(lastToken);
    }

    public long newestClusterTimeMillis() {
        return newestClusterTimeMillis;
    }
}
