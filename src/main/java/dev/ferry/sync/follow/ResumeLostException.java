package dev.ferry.sync.follow;

/**
 * The source no longer has the history a saved resume point needs (ChangeStreamHistoryLost, 286, or
 * the token was not found, 280): changes in the gap cannot be replayed, so only a fresh copy helps.
 */
public final class ResumeLostException extends Exception {

    public ResumeLostException(StreamPoint point, String serverMessage) {
        super("the source no longer has the change history to resume from " + point.describe() + " (" + serverMessage
                + "); changes made since then cannot be replayed. Resubmit the job for a fresh snapshot (ferry ctl retry "
                + "with its id, or move it from failed/ back into incoming/); consider a larger oplog so that stops "
                + "this long are survived");
    }
}
