package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.bson.BsonDocument;

/** Reading helpers shared by the source tests. */
final class SourceAssertions {

    interface Opener {
        Source open(Position start) throws SourceException;
    }

    private SourceAssertions() {
    }

    /** Reads to the end in chunks of {@code size}, checking no chunk is larger. */
    static List<BsonDocument> readAll(Source source, int size) throws SourceException {
        List<BsonDocument> all = new ArrayList<>();
        long before = source.position().documentsRead();
        for (List<BsonDocument> chunk = source.nextChunk(size); !chunk.isEmpty(); chunk = source.nextChunk(size)) {
            assertTrue(chunk.size() <= size, "chunk of " + chunk.size() + " > " + size);
            all.addAll(chunk);
            assertEquals(before + all.size(), source.position().documentsRead());
        }
        assertTrue(source.nextChunk(size).isEmpty(), "exhausted source stays exhausted");
        return all;
    }

    /**
     * Streams everything in chunks of 7, then reopens at the position after {@code chunksBeforeResume}
     * chunks (as a checkpoint would) and checks that the resumed read yields exactly the rest.
     */
    static void assertStreamsAndResumes(Opener opener, List<BsonDocument> expected, int chunksBeforeResume) throws SourceException {
        try (Source source = opener.open(Position.START)) {
            assertEquals(expected, readAll(source, 7));
        }
        Position checkpoint;
        List<BsonDocument> head = new ArrayList<>();
        try (Source source = opener.open(Position.START)) {
            for (int i = 0; i < chunksBeforeResume; i++) {
                head.addAll(source.nextChunk(7));
            }
            checkpoint = source.position();
            // a chunk read after the checkpoint but never acknowledged must come again after resume
            source.nextChunk(7);
        }
        assertEquals(head.size(), checkpoint.documentsRead());
        try (Source resumed = opener.open(checkpoint)) {
            List<BsonDocument> all = new ArrayList<>(head);
            all.addAll(readAll(resumed, 7));
            assertEquals(expected, all);
            assertEquals(expected.size(), resumed.position().documentsRead());
        }
    }
}
