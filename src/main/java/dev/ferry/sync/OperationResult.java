package dev.ferry.sync;

import java.beans.ConstructorProperties;

/**
 * What an Orchestrator operation ({@code cancel}, {@code finish}, {@code retry}) did, as a JMX client
 * reads it: a {@code CompositeData} with {@code outcome} (a word a script can switch on), {@code ok}
 * and {@code message} (what to tell a person). {@code ferry ctl} exits by {@code ok}, never by parsing
 * the message.
 */
public final class OperationResult {
    /** The words {@link #getOutcome()} may say. */
    public enum Outcome {
        /** It happened (a waiting job cancelled, a failed job moved back). */
        DONE,
        /** It will happen once the job's chunks in flight are written (a cancel or finish of a running job). */
        ACCEPTED,
        /** No job with that id where the operation looks. */
        NOT_FOUND,
        /** The job exists but the operation does not apply to it. */
        REFUSED,
        /** It could not be done (a file could not be moved); the message says why. */
        ERROR
    }

    private final String outcome;
    private final boolean ok;
    private final String message;

    @ConstructorProperties({"outcome", "ok", "message"})
    public OperationResult(String outcome, boolean ok, String message) {
        this.outcome = outcome;
        this.ok = ok;
        this.message = message;
    }

    public static OperationResult of(Outcome outcome, String message) {
        return new OperationResult(outcome.name(), outcome == Outcome.DONE || outcome == Outcome.ACCEPTED, message);
    }

    public String getOutcome() {
        return outcome;
    }

    public boolean isOk() {
        return ok;
    }

    public String getMessage() {
        return message;
    }

    @Override
    public String toString() {
        return message;
    }
}
