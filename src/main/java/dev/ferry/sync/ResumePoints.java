package dev.ferry.sync;

import dev.ferry.job.JobSpec;
import dev.ferry.sync.checkpoint.Checkpoint;
import dev.ferry.sync.checkpoint.CheckpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds where a job starts: its own checkpoint if it has one, else the first document. */
final class ResumePoints {
    private static final Logger log = LoggerFactory.getLogger(ResumePoints.class);

    private final CheckpointStore checkpoints;

    ResumePoints(CheckpointStore checkpoints) {
        this.checkpoints = checkpoints;
    }

    /** Also shows a resumed job's earlier progress on its MXBean, and logs how the job starts. */
    ResumePoint find(RunningJob job, Path jobFile) {
        JobSpec spec = job.spec();
        String fingerprint = fingerprint(jobFile);
        Optional<Checkpoint> checkpoint = load(spec.id(), fingerprint);
        checkpoint.ifPresent(job::resumedFrom);
        Progress progress = checkpoint.map(c -> new Progress(c.position(), c.counters())).orElse(Progress.START);
        if (checkpoint.isPresent()) {
            log.info("{}: resuming after {} documents ({} chunks) from its checkpoint", spec.id(),
                    progress.position().documentsRead(), progress.counters().chunks());
        } else {
            log.info("{}: started: {} -> {} ({}, key {}, chunks of {})", spec.id(), spec.source().describe(),
                    spec.destination().describe(), spec.mode().word(), spec.key(), spec.chunkSize());
        }
        return new ResumePoint(fingerprint, progress, checkpoint.flatMap(Checkpoint::follow));
    }

    private Optional<Checkpoint> load(String id, String fingerprint) {
        try {
            Optional<Checkpoint> cp = checkpoints.load(id);
            if (cp.isPresent() && !cp.get().fingerprint().equals(fingerprint)) {
                log.warn("{}: ignoring a checkpoint of a different job file with the same id; starting from the "
                        + "first document", id);
                return Optional.empty();
            }
            return cp;
        } catch (IOException e) {
            log.warn("{}: cannot read its checkpoint ({}); starting from the first document, which is safe because "
                    + "writes are idempotent by key", id, e.toString());
            return Optional.empty();
        }
    }

    private static String fingerprint(Path jobFile) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(jobFile));
            return HexFormat.of().formatHex(digest);
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unreadable";
        }
    }
}
