package dev.ferry.sync.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bson.BsonDocument;

/** The documents of an inline job; they are already in memory (a job file is at most 1 MiB). */
public final class InlineSource implements Source {

    private final List<BsonDocument> documents;
    private int next;

    /** @throws SourceException when {@code start} lies beyond the documents (the job changed since the checkpoint) */
    public InlineSource(List<BsonDocument> documents, Position start) throws SourceException {
        this.documents = List.copyOf(documents);
        Objects.requireNonNull(start, "start");
        if (start.documentsRead() > this.documents.size()) {
            throw new SourceException("checkpoint says " + start.documentsRead() + " documents were read, but the job has only "
                    + this.documents.size() + "; delete the job's checkpoint to start over");
        }
        this.next = (int) start.documentsRead();
    }

    @Override
    public List<BsonDocument> nextChunk(int max) {
        Sources.requirePositive(max);
        int end = (int) Math.min(documents.size(), (long) next + max);
        List<BsonDocument> chunk = new ArrayList<>(end - next);
        for (int i = next; i < end; i++) {
            // a copy, so that a writer changing a document cannot change what a retry sends
            chunk.add(documents.get(i).clone());
        }
        next = end;
        return chunk;
    }

    @Override
    public Position position() {
        return new Position(next, null);
    }

    @Override
    public double progress() {
        return documents.isEmpty() ? 1.0 : (double) next / documents.size();
    }

    @Override
    public void close() {
        // nothing held
    }
}
