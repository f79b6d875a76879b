package dev.ferry.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A job's id: {@code [A-Za-z0-9._-]{1,128}}, not {@code .} or {@code ..}, not ending in
 * {@code .result} or {@code .error} (docs/jobs.md, "Job files"). The one rule for the parser, the spool and
 * the checkpoints: an id becomes file names ({@code done/ID.json}, {@code done/ID.result.json},
 * {@code ID.checkpoint.json}), so it must stay inside its folder and never collide with another
 * job's outcome file.
 */
public record JobId(String value) {
    /** The rule in words, for messages. */
    public static final String RULE = "1 to 128 of A-Z a-z 0-9 . _ -, not \".\" or \"..\", not ending in .result or .error";

    private static final Pattern CHARACTERS = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    public JobId {
        Objects.requireNonNull(value, "value");
        if (!isValid(value)) {
            throw new IllegalArgumentException("job id must be " + RULE + ", was " + value);
        }
    }

    public static boolean isValid(String id) {
        return id != null && CHARACTERS.matcher(id).matches() && !id.equals(".") && !id.equals("..")
                && !id.endsWith(".result") && !id.endsWith(".error");
    }

    @Override
    public String toString() {
        return value;
    }
}
