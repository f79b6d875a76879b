package dev.ferry.sync.source;

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
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(start, "start");
        if (spec instanceof SourceSpec.File) {
            SourceSpec.File file = (SourceSpec.File) spec;
            switch (file.format()) {
                case NDJSON: return new NdjsonSource(file.path(), start);
                case JSON_ARRAY: return new JsonArraySource(file.path(), start);
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
