package dev.ferry.sync.write;

import dev.ferry.job.WriteMode;
import java.util.List;

/**
 * Whether a job's next chunk is sent as plain inserts first (see {@link ChunkWriter}), decided from
 * what the last chunk met. Inserts are the fast way to load new documents, but each document that
 * exists costs an upsert job a second write; so an upsert job inserts first while most of its last
 * chunk was new (a first load), and replaces at once while most of it existed (a rerun, or a resume
 * into what a crashed run wrote). One per run of a job, used by one thread.
 */
public final class InsertFirst {
    private final boolean possible;
    private final WriteMode mode;
    private boolean next;

    /**
     * Only a job keyed by {@code _id} inserts first: there a duplicate key error on {@code _id_} means
     * exactly "this document exists". Under another key, even a unique one, the insert may collide on
     * {@code _id} with the same document or another, which only the write by key can tell apart.
     */
    public InsertFirst(WriteMode mode, List<String> key) {
        this.mode = mode;
        this.possible = key.equals(List.of("_id")) && mode != WriteMode.MERGE;
        this.next = possible;
    }

    public boolean next() {
        return next;
    }

    /** Records what a chunk of {@code documents} did. */
    public void saw(int documents, WriteOutcome outcome) {
        if (possible && mode == WriteMode.UPSERT) {
            next = outcome.matched() * 2 < documents;
        }
    }
}
