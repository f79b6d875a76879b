package dev.ferry.sync;

import dev.ferry.job.JobSpec;
import dev.ferry.sync.checkpoint.Counters;
import dev.ferry.sync.follow.FollowState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.bson.Document;

/** The documents behind {@code ID.result.json} and {@code ID.error.json} (README, "The spool"). */
final class JobReports {
    private JobReports() {
    }

    static Document result(JobSpec spec, Counters c, long documentsRead, Instant startedAt, Instant finishedAt) {
        return new Document("id", spec.id())
                .append("source", spec.source().describe())
                .append("destination", spec.destination().describe())
                .append("mode", spec.mode().word())
                .append("documentsRead", documentsRead)
                .append("inserted", c.inserted())
                .append("matched", c.matched())
                .append("modified", c.modified())
                .append("upserted", c.upserted())
                .append("skipped", c.skipped())
                .append("rejected", c.rejected())
                .append("chunks", c.chunks())
                .append("retries", c.retries())
                .append("startedAt", startedAt.toString())
                .append("finishedAt", finishedAt.toString())
                .append("durationMillis", Duration.between(startedAt, finishedAt).toMillis());
    }

    /** A follow job's result: a copy job's fields, then the events it applied and the documents they deleted. */
    static Document result(JobSpec spec, Counters c, long documentsRead, Instant startedAt, Instant finishedAt,
                           Optional<FollowState> follow) {
        Document result = result(spec, c, documentsRead, startedAt, finishedAt);
        follow.ifPresent(f -> result.append("eventsApplied", f.eventsApplied()).append("deleted", f.deleted()));
        return result;
    }

    /** @param id the job id, or null when the file could not be read far enough to know it */
    static Document error(String id, String kind, String message, long chunk, int attempts, Instant at) {
        return new Document("id", id)
                .append("kind", kind)
                .append("message", message)
                .append("chunk", chunk)
                .append("attempts", attempts)
                .append("at", at.toString());
    }
}
