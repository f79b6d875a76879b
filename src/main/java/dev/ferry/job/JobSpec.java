package dev.ferry.job;

import dev.ferry.config.Limits;
import java.util.List;
import java.util.Objects;

/**
 * A validated job file (docs/jobs.md, "Job files"). Built only by {@link JobParser}; everything in it has been
 * checked against the schema and the configuration, so the sync code can trust it.
 */
public record JobSpec(
        String id,
        SourceSpec source,
        DestinationSpec destination,
        WriteMode mode,
        List<String> key,
        int chunkSize,
        OnInvalid onInvalid,
        IdFrom idFrom,
        int lanes,
        boolean verify,
        boolean copyIndexes,
        boolean resnapshot) {

    /** A job with the defaults of the fields added later: {@code onInvalid: fail}, no {@code idFrom}, one lane. */
    public JobSpec(String id, SourceSpec source, DestinationSpec destination, WriteMode mode, List<String> key,
                   int chunkSize) {
        this(id, source, destination, mode, key, chunkSize, OnInvalid.FAIL, IdFrom.NONE);
    }

    /** Not verified afterwards. */
    public JobSpec(String id, SourceSpec source, DestinationSpec destination, WriteMode mode, List<String> key,
                   int chunkSize, OnInvalid onInvalid, IdFrom idFrom, int lanes) {
        this(id, source, destination, mode, key, chunkSize, onInvalid, idFrom, lanes, false);
    }

    /** A mongodb source's indexes copied (unless the job only verifies), as {@code "indexes"} left out says. */
    public JobSpec(String id, SourceSpec source, DestinationSpec destination, WriteMode mode, List<String> key,
                   int chunkSize, OnInvalid onInvalid, IdFrom idFrom, int lanes, boolean verify) {
        this(id, source, destination, mode, key, chunkSize, onInvalid, idFrom, lanes, verify,
                source instanceof SourceSpec.Mongo && mode != WriteMode.VERIFY && mode != WriteMode.DELETE, false);
    }

    /** A follow job that fails when its resume point is lost ({@code "onResumeLost": "fail"}). */
    public JobSpec(String id, SourceSpec source, DestinationSpec destination, WriteMode mode, List<String> key,
                   int chunkSize, OnInvalid onInvalid, IdFrom idFrom, int lanes, boolean verify, boolean copyIndexes) {
        this(id, source, destination, mode, key, chunkSize, onInvalid, idFrom, lanes, verify, copyIndexes, false);
    }

    /** One lane: one chunk in flight at a time. */
    public JobSpec(String id, SourceSpec source, DestinationSpec destination, WriteMode mode, List<String> key,
                   int chunkSize, OnInvalid onInvalid, IdFrom idFrom) {
        this(id, source, destination, mode, key, chunkSize, onInvalid, idFrom, 1);
    }

    public JobSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(onInvalid, "onInvalid");
        Objects.requireNonNull(idFrom, "idFrom");
        key = List.copyOf(key);
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must name at least one field");
        }
        if (lanes < 1 || lanes > Limits.MAX_LANES) {
            throw new IllegalArgumentException("lanes must be between 1 and " + Limits.MAX_LANES + ", was " + lanes);
        }
        if (chunkSize < 1 || chunkSize > Limits.MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunkSize must be between 1 and " + Limits.MAX_CHUNK_SIZE + ", was " + chunkSize);
        }
    }

    /** True when the job compares source and destination: {@code "verify": true} or {@code "mode": "verify"}. */
    public boolean verifies() {
        return verify || mode == WriteMode.VERIFY;
    }

    /** True for {@code "mode": "verify"}: the job writes nothing. */
    public boolean onlyVerifies() {
        return mode == WriteMode.VERIFY;
    }

    /** True for a mongodb source with {@code "follow": true}: the job keeps applying changes after its copy. */
    public boolean follows() {
        return source instanceof SourceSpec.Mongo m && m.follow();
    }

    /** The configured connections the job reads from and writes to. */
    public java.util.Set<String> connections() {
        return source instanceof SourceSpec.Mongo m && !m.connection().equals(destination.connection())
                ? java.util.Set.of(m.connection(), destination.connection()) : java.util.Set.of(destination.connection());
    }

    /**
     * True when the job may set records aside in {@code ID.rejected.ndjson}: {@code onInvalid: skip}, or a csv/tsv source
     * whose {@code parseGrace} is {@code skipRow}.
     */
    public boolean setsRecordsAside() {
        return onInvalid == OnInvalid.SKIP
                || source instanceof SourceSpec.File f && f.csv().parseGrace() == ParseGrace.SKIP_ROW;
    }
}
