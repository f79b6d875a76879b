package dev.ferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.bson.Document;

/** Drops jobs into a spool the way a user would, and waits for their outcome files. */
public final class Spooler {
    private final Path spool;

    public Spooler(Path spool) {
        this.spool = spool;
    }

    /** Writes the job under a hidden temporary name, then renames it into incoming/ whole. */
    public Path drop(String fileName, String json) {
        return drop(fileName, json.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #drop(String, String)}, for content that is not text (binary, not UTF-8). */
    public Path drop(String fileName, byte[] content) {
        try {
            Path incoming = Files.createDirectories(spool.resolve("incoming"));
            Path tmp = incoming.resolve("." + fileName + ".tmp");
            Files.write(tmp, content);
            return Files.move(tmp, incoming.resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The job's {@code done/ID.result.json}; fails with the error file's content if it failed. */
    public Document awaitDone(String id, Duration timeout) {
        Document outcome = awaitOutcome(id, timeout);
        if (!outcome.containsKey("documentsRead")) {
            throw new AssertionError(id + " failed: " + outcome.toJson());
        }
        return outcome;
    }

    /** The job's {@code failed/NAME.error.json}; fails if the job succeeded. */
    public Document awaitFailed(String name, Duration timeout) {
        Document outcome = awaitOutcome(name, timeout);
        if (!outcome.containsKey("kind")) {
            throw new AssertionError(name + " succeeded but was expected to fail: " + outcome.toJson());
        }
        return outcome;
    }

    /**
     * Whichever outcome appears first: result or error. Waits for the job file to arrive next to it too,
     * since ferry writes the outcome file before it moves the job out of active/.
     */
    public Document awaitOutcome(String name, Duration timeout) {
        Path result = spool.resolve("done").resolve(name + ".result.json");
        Path error = spool.resolve("failed").resolve(name + ".error.json");
        Path doneJob = spool.resolve("done").resolve(name + ".json");
        Path failedJob = spool.resolve("failed").resolve(name + ".json");
        Await.until(timeout, () -> Files.exists(result) && Files.exists(doneJob)
                || Files.exists(error) && Files.exists(failedJob, java.nio.file.LinkOption.NOFOLLOW_LINKS), "outcome of job " + name);
        try {
            return Document.parse(Files.readString(Files.exists(result) ? result : error));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long count(String folder) {
        try (var files = Files.list(spool.resolve(folder))) {
            return files.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".json") && !n.startsWith(".") && !n.endsWith(".result.json")
                        && !n.endsWith(".error.json");
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
