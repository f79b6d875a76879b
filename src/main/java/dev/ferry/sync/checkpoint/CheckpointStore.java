package dev.ferry.sync.checkpoint;

import dev.ferry.files.DurableFile;
import dev.ferry.sync.follow.FollowState;
import dev.ferry.sync.source.Position;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * One small JSON file per job ({@code JOBID.checkpoint.json}) in {@code state.dir/checkpoints},
 * replaced atomically on every save through {@link DurableFile} (temp file, force, rename, directory
 * force), so the rename itself survives a power loss. A crash therefore leaves either the old or the new checkpoint, never a torn one;
 * a leftover temp file (a hidden {@code .JOBID.checkpoint.json.*.tmp}) is ignored and cleaned up by
 * the next load. The file is Extended JSON (canonical) so the resume token keeps its exact BSON type.
 * Safe for concurrent use by different jobs; one job's checkpoint is written by one thread.
 */
public final class CheckpointStore implements Checkpoints {

    private static final String SUFFIX = ".checkpoint.json";
    private static final int VERSION = 1;
    private static final JsonWriterSettings EXTENDED = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();

    private final Path dir;

    /** @param dir usually {@code state.dir/checkpoints}; created on the first save */
    public CheckpointStore(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    @Override
    public void save(String jobId, Checkpoint checkpoint) throws IOException {
        if (!checkpoint.jobId().equals(jobId)) {
            throw new IllegalArgumentException("checkpoint of job " + checkpoint.jobId() + " saved as " + jobId);
        }
        Path target = fileOf(jobId);
        Files.createDirectories(dir);
        byte[] bytes = toDocument(checkpoint).toJson(EXTENDED).getBytes(StandardCharsets.UTF_8);
        DurableFile.write(target, bytes);
    }

    /**
     * @return empty when the job has no checkpoint
     * @throws IOException when the file cannot be read or is not a checkpoint (its name says which to delete)
     */
    @Override
    public Optional<Checkpoint> load(String jobId) throws IOException {
        Path file = fileOf(jobId);
        removeLeftoverTemps(jobId);
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(fromDocument(BsonDocument.parse(json)));
        } catch (RuntimeException e) {
            throw new IOException("checkpoint " + file + " is unreadable (" + e.getMessage()
                    + "); delete it to restart the job from the beginning", e);
        }
    }

    @Override
    public void delete(String jobId) throws IOException {
        if (Files.deleteIfExists(fileOf(jobId))) {
            forceDirectory();
        }
    }

    private Path fileOf(String jobId) {
        if (jobId.isEmpty() || jobId.contains("/") || jobId.contains("\\")) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        return dir.resolve(jobId + SUFFIX);
    }

    private void removeLeftoverTemps(String jobId) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "." + globEscape(jobId) + SUFFIX + ".*.tmp")) {
            for (Path temp : temps) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static String globEscape(String s) {
        return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    private void forceDirectory() {
        DurableFile.syncDirectory(dir);
    }

    /** The checkpoint as its file holds it (canonical Extended JSON keeps every BSON type). */
    public static BsonDocument toDocument(Checkpoint c) {
        Counters n = c.counters();
        BsonDocument d = new BsonDocument("version", new BsonInt32(VERSION))
                .append("jobId", new BsonString(c.jobId()))
                .append("fingerprint", new BsonString(c.fingerprint()))
                .append("documentsRead", new BsonInt64(c.position().documentsRead()));
        if (c.position().resumeToken() != null) {
            // absent means "no token"; a BsonNull token (an _id of null) is stored as null
            d.append("resumeToken", c.position().resumeToken());
        }
        c.follow().ifPresent(f -> d.append("follow", f.toDocument()));
        c.verify().ifPresent(v -> d.append("verify", v.toDocument()));
        return d.append("chunks", new BsonInt64(n.chunks()))
                .append("retries", new BsonInt64(n.retries()))
                .append("inserted", new BsonInt64(n.inserted()))
                .append("matched", new BsonInt64(n.matched()))
                .append("modified", new BsonInt64(n.modified()))
                .append("upserted", new BsonInt64(n.upserted()))
                .append("skipped", new BsonInt64(n.skipped()))
                .append("rejected", new BsonInt64(n.rejected()))
                .append("deleted", new BsonInt64(n.deleted()))
                .append("graced", new BsonInt64(n.graced()))
                .append("startedAt", new BsonString(c.startedAt().toString()));
    }

    public static Checkpoint fromDocument(BsonDocument d) {
        int version = d.getInt32("version").getValue();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown checkpoint version " + version);
        }
        BsonValue token = d.get("resumeToken");
        Position position = new Position(d.getInt64("documentsRead").getValue(), token);
        Counters counters = new Counters(d.getInt64("chunks").getValue(), d.getInt64("retries").getValue(),
                d.getInt64("inserted").getValue(), d.getInt64("matched").getValue(), d.getInt64("modified").getValue(),
                d.getInt64("upserted").getValue(), d.getInt64("skipped").getValue(),
                d.isInt64("rejected") ? d.getInt64("rejected").getValue() : 0,
                d.isInt64("deleted") ? d.getInt64("deleted").getValue() : 0,
                d.isInt64("graced") ? d.getInt64("graced").getValue() : 0);
        Optional<FollowState> follow = d.containsKey("follow")
                ? Optional.of(FollowState.fromDocument(d.getDocument("follow"))) : Optional.empty();
        Optional<VerifyState> verify = d.containsKey("verify")
                ? Optional.of(VerifyState.fromDocument(d.getDocument("verify"))) : Optional.empty();
        return new Checkpoint(d.getString("jobId").getValue(), d.getString("fingerprint").getValue(), position, counters,
                Instant.parse(d.getString("startedAt").getValue()), follow, verify);
    }
}
