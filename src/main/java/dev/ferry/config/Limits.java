package dev.ferry.config;

/** Bounds that the configuration, the job parser and the sync loop must agree on. */
public final class Limits {
    private Limits() {
    }

    /** The largest chunk a job or {@code chunk.size} may ask for (docs/jobs.md, "Job files"). */
    public static final int MAX_CHUNK_SIZE = 100_000;

    /** The most chunks a job may keep in flight ({@code lanes}, {@code job.lanes}; docs/jobs.md, "Lanes"). */
    public static final int MAX_LANES = 64;
}
