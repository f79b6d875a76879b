package dev.ferry.sync.source;

import dev.ferry.job.OnInvalid;
import dev.ferry.job.SourceSpec;
import java.util.Objects;

/** Opens the {@link Source} for a job's {@link SourceSpec}. */
public final class Sources {

    private Sources() {
    }

    /**
     * @param start a checkpoint's position, or {@link Position#START}
     * @param mongo gives the collection for a {@link SourceSpec.Mongo}; not called for other sources
     */
    public static Source open(SourceSpec spec, Position start, MongoSourceOpener mongo) throws SourceException {
        return open(spec, start, mongo, OnInvalid.FAIL);
    }

    /** @param onInvalid whether a file source fails on a bad record or passes it on as rejected */
    public static Source open(SourceSpec spec, Position start, MongoSourceOpener mongo, OnInvalid onInvalid)
            throws SourceException {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(start, "start");
        if (spec instanceof SourceSpec.File) {
            SourceSpec.File file = (SourceSpec.File) spec;
            BadRecords bad = new BadRecords(onInvalid == OnInvalid.SKIP, String.valueOf(file.path()));
            switch (file.format()) {
                case NDJSON: return new NdjsonSource(file.path(), file.gzipped(), start, bad);
                case JSON_ARRAY: return new JsonArraySource(file.path(), file.gzipped(), start, bad);
                case CSV: return new CsvSource(file.path(), file.gzipped(), false, file.csv(), start, bad);
                case TSV: return new CsvSource(file.path(), file.gzipped(), true, file.csv(), start, bad);
                default: throw new IllegalArgumentException("unknown file format " + file.format());
            }
        }
        if (spec instanceof SourceSpec.Inline) {
            return new InlineSource(((SourceSpec.Inline) spec).documents(), start);
        }
        SourceSpec.Mongo m = (SourceSpec.Mongo) spec;
        return new MongoSource(Objects.requireNonNull(mongo, "mongo").collection(m), m.filter(), m.projection(), start);
    }

    static void requirePositive(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
    }
}
