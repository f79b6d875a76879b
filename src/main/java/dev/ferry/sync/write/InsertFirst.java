package dev.ferry.sync.write;

import dev.ferry.job.WriteMode;
import java.util.List;

/**
 * Whether a job's next chunk is sent as plain inserts first (see {@link ChunkWriter}), decided from
 * what the last chunk met. Inserts are the fast way to load new documents, but each document that
 * exists costs an upsert job a second write; so an upsert job inserts first while most of its last
 * chunk was new (a first load), and replaces at once while most of it existed (a rerun, or a resume
 * into what a crashed run wrote). One per run of a job, shared by its lanes: a decision
 * taken on what an earlier chunk met only ever costs speed, never correctness.
 */
public final class InsertFirst {
    private final boolean possible;
    private final WriteMode mode;
    private volatile boolean next;

    /**
     * @param uniqueKey the destination has a unique index on exactly the key's fields ({@code _id} always
     *                  has): then a duplicate key error on that index means exactly "this document
     *                  exists"; without one an insert could add a second document with the same key
     */
    public InsertFirst(WriteMode mode, List<String> key, boolean uniqueKey) {
        this.mode = mode;
        this.possible = (uniqueKey || key.equals(List.of("_id"))) && mode != WriteMode.MERGE;
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
