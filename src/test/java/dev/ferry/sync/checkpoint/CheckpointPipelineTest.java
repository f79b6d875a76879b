package dev.ferry.sync.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.spy;

import dev.ferry.concurrent.Executors2;
import dev.ferry.concurrent.NamedThreadFactory;
import dev.ferry.sync.source.Position;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointPipelineTest {
    private final ExecutorService io = Executors.newSingleThreadExecutor(new NamedThreadFactory("test-checkpoint", true));

    @AfterEach
    void shutdown() {
        Executors2.shutdown("test-checkpoint", io, Duration.ofSeconds(5));
    }

    private static Checkpoint after(long chunks) {
        return new Checkpoint("job", "fp", new Position(chunks * 10, null), new Counters(chunks, 0, 0, 0, 0, chunks * 10, 0),
                Instant.parse("2026-11-26T10:00:00Z"));
    }

    @Test
    void afterDrainTheLastSubmittedCheckpointIsTheOneOnDisk(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        CheckpointPipeline pipeline = new CheckpointPipeline(store, io, "job");
        for (long chunk = 1; chunk <= 50; chunk++) {
            pipeline.submit(after(chunk));
        }
        pipeline.drain();
        assertEquals(50, store.load("job").orElseThrow().counters().chunks());
    }

    @Test
    void aFailedBackgroundSaveMakesTheNextSaveRunOnTheCallerAndReportItsError(@TempDir Path dir) throws Exception {
        CheckpointStore store = spy(new CheckpointStore(dir));
        doThrow(new IOException("disk full")).when(store).save(eq("job"), any());
        CheckpointPipeline pipeline = new CheckpointPipeline(store, io, "job");
        pipeline.submit(after(1)); // fails in the background
        assertThrows(IOException.class, () -> pipeline.submit(after(2)), "the failure surfaces at the next chunk");
        assertThrows(IOException.class, () -> pipeline.submit(after(2)), "a retry still saves on the caller's thread");
        doCallRealMethod().when(store).save(eq("job"), any());
        pipeline.submit(after(2));
        assertEquals(2, store.load("job").orElseThrow().counters().chunks(), "saved synchronously, on disk at once");
        pipeline.submit(after(3));
        pipeline.drain();
        assertEquals(3, store.load("job").orElseThrow().counters().chunks());
    }
}
