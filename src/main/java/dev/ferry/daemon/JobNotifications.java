package dev.ferry.daemon;

import dev.ferry.jmx.Events;
import dev.ferry.sync.JobEvents;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.ObjectName;

/**
 * The notifications of {@code dev.ferry:type=Orchestrator}: {@value #DONE}, {@value #FAILED} and
 * {@value #RESNAPSHOT}, each with user data {@code {id, kind, message}} (all strings; kind {@code done}
 * for a done job, {@code resnapshot} for a follow job copying a fresh snapshot).
 */
public final class JobNotifications extends Events implements JobEvents {
    public static final String DONE = "ferry.job.done";
    public static final String FAILED = "ferry.job.failed";
    public static final String RESNAPSHOT = "ferry.job.resnapshot";

    public JobNotifications(ObjectName source, Clock clock) {
        super(source, clock, "ferry.job.event", fields(),
                info(DONE, "a job finished: it is in done/ with ID.result.json"),
                info(FAILED, "a job failed or was cancelled: it is in failed/ with ID.error.json;"
                        + " fix the cause, then ferry ctl retry ID"),
                info(RESNAPSHOT, "a follow job's resume point left the source's history: it copies a fresh snapshot,"
                        + " deletes what the source no longer has, and follows again (\"onResumeLost\": \"resnapshot\")"));
    }

    private static Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", "the job id (for a file without a valid id, its file name)");
        fields.put("kind", "done, resnapshot, or the failure kind of ID.error.json: invalid-job, unknown-connection,"
                + " source-error, write-error, gave-up-after-retries, cancelled, resume-lost, verify-mismatch, index-error");
        fields.put("message", "what happened, in words; for a failure what to change");
        return fields;
    }

    @Override
    public void done(String id, long documents, long chunks, long durationMillis) {
        String message = documents + " documents in " + chunks + " chunks, " + durationMillis + " ms";
        send(DONE, id + ": done: " + message, Map.of("id", id, "kind", "done", "message", message));
    }

    @Override
    public void resnapshot(String id, String message) {
        send(RESNAPSHOT, id + ": resnapshot: " + message, Map.of("id", id, "kind", "resnapshot", "message", message));
    }

    @Override
    public void failed(String id, String kind, String message) {
        send(FAILED, id + ": failed (" + kind + "): " + message, Map.of("id", id, "kind", kind, "message", message));
    }
}
