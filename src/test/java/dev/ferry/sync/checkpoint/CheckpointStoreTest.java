package dev.ferry.sync.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.sync.source.Position;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

    @TempDir
    Path state;

    private Checkpoint checkpoint(String id, BsonValue token) {
        return new Checkpoint(id, "sha256:abc", new Position(1234, token),
                new Counters(2, 1, 10, 20, 5, 3, 7), Instant.parse("2026-11-26T10:15:30.123456Z"));
    }

    @Test
    void roundTripKeepsEveryFieldAndTheResumeTokensExactBsonType() throws IOException {
        CheckpointStore store = new CheckpointStore(state.resolve("checkpoints"));
        List<BsonValue> tokens = List.of(new BsonObjectId(new ObjectId()), new BsonInt64(5_000_000_000L), new BsonInt64(7),
                new BsonInt32(7), new BsonString("k"), BsonNull.VALUE,
                new BsonDocument("offset", new BsonInt64(99)).append("line", new BsonInt64(4)));
        for (BsonValue token : tokens) {
            Checkpoint saved = checkpoint("job-1", token);
            store.save("job-1", saved);
            Checkpoint loaded = store.load("job-1").orElseThrow();
            assertEquals(saved, loaded);
            assertEquals(token.getBsonType(), loaded.position().resumeToken().getBsonType());
        }
        Checkpoint noToken = checkpoint("job-2", null);
        store.save("job-2", noToken);
        assertEquals(Optional.of(noToken), store.load("job-2"));
    }

    /** What a job in the middle of a comparison, or of a resnapshot, must find again after a crash. */
    @Test
    void roundTripKeepsAComparisonsStateAndAResnapshotsCleaningAndDeletes() throws IOException {
        CheckpointStore store = new CheckpointStore(state.resolve("checkpoints"));
        Position ranges = new Position(40, BsonDocument.parse("{\"$ranges\": [{\"max\": 20, \"last\": 7},"
                + " {\"min\": 20, \"last\": {\"$oid\": \"5f0c8e0e8e0e8e0e8e0e8e0e\"}, \"end\": true}]}"));
        VerifyState verify = new VerifyState(VerifyState.Pass.DESTINATION, ranges, 40, 37, 1, 2, 2, 5,
                Instant.parse("2026-12-08T01:00:00Z"));
        dev.ferry.sync.follow.FollowState follow = dev.ferry.sync.follow.FollowState.snapshot(
                dev.ferry.sync.follow.StreamPoint.at(new org.bson.BsonTimestamp(5, 1)))
                .resnapshot(dev.ferry.sync.follow.StreamPoint.at(new org.bson.BsonTimestamp(9, 1)));
        Checkpoint saved = new Checkpoint("v", "sha256:abc", ranges, new Counters(2, 0, 0, 0, 0, 0, 0, 0, 3, 4),
                Instant.parse("2026-12-08T00:00:00Z"), Optional.of(follow), Optional.of(verify));
        store.save("v", saved);
        Checkpoint loaded = store.load("v").orElseThrow();
        assertEquals(saved, loaded);
        assertEquals(1L, loaded.follow().orElseThrow().resnapshots());
        assertEquals(true, loaded.follow().orElseThrow().cleaning());
        assertEquals(3L, loaded.counters().deleted());
        assertEquals(4L, loaded.counters().graced(), "cells parseGrace let through, counted once across a resume");
    }

    @Test
    void missingCheckpointIsEmptyAndDeleteRemovesIt() throws IOException {
        CheckpointStore store = new CheckpointStore(state.resolve("checkpoints"));
        assertEquals(Optional.empty(), store.load("nothing"));
        store.save("j", checkpoint("j", null));
        store.delete("j");
        assertEquals(Optional.empty(), store.load("j"));
        store.delete("j");
    }

    @Test
    void aTempFileLeftByACrashDoesNotBreakLoadAndIsCleanedUp() throws IOException {
        Path dir = state.resolve("checkpoints");
        CheckpointStore store = new CheckpointStore(dir);
        Checkpoint saved = checkpoint("j", new BsonInt64(3));
        store.save("j", saved);
        Path torn = Files.writeString(dir.resolve(".j.checkpoint.json.1a2b.tmp"), "{\"version\": 1, \"jobId\": \"j\", \"finger");
        assertEquals(Optional.of(saved), store.load("j"));
        assertFalse(Files.exists(torn));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("j.checkpoint.json")), files.toList());
        }
    }

    @Test
    void aCorruptCheckpointIsReportedWithItsFileName() throws IOException {
        Path dir = Files.createDirectories(state.resolve("checkpoints"));
        Files.writeString(dir.resolve("j.checkpoint.json"), "not json");
        IOException e = assertThrows(IOException.class, () -> new CheckpointStore(dir).load("j"));
        assertTrue(e.getMessage().contains("j.checkpoint.json") && e.getMessage().contains("delete it"), e.getMessage());
    }

    @Test
    void theFileIsExtendedJson() throws IOException {
        Path dir = state.resolve("checkpoints");
        new CheckpointStore(dir).save("j", checkpoint("j", new BsonObjectId(new ObjectId("6566f0c2a1b2c3d4e5f60718"))));
        String json = Files.readString(dir.resolve("j.checkpoint.json"));
        assertTrue(json.contains("\"resumeToken\": {\"$oid\": \"6566f0c2a1b2c3d4e5f60718\"}"), json);
        assertTrue(json.contains("\"documentsRead\": {\"$numberLong\": \"1234\"}"), json);
    }
}
