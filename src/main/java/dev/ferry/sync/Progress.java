package dev.ferry.sync;

import dev.ferry.sync.checkpoint.Counters;
import dev.ferry.sync.source.Position;

/** Where a job stands after its last acknowledged chunk: what its next checkpoint records. */
record Progress(Position position, Counters counters) {

    static final Progress START = new Progress(Position.START, Counters.ZERO);

    /** The number of the chunk after this point, as messages and log lines count them. */
    long nextChunk() {
        return counters.chunks() + 1;
    }
}
